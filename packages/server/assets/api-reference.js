// Renders the OpenAPI 3.1 document of this server. Plain DOM, textContent only (no HTML from the document
// is ever interpreted), no dependencies.
const main = document.getElementById('operations');
const toc = document.getElementById('toc');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function typeOf(schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (schema.const !== undefined) return `const ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum)) return `enum: ${schema.enum.map((v) => JSON.stringify(v)).join(' | ')}`;
  if (schema.anyOf || schema.oneOf) return (schema.anyOf || schema.oneOf).map(typeOf).join(' | ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items)}`;
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type || (schema.properties ? 'object' : 'any');
  return schema.format ? `${t} (${schema.format})` : t;
}

function constraints(schema) {
  const out = [];
  for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern', 'default']) {
    if (schema[key] !== undefined) out.push(`${key}: ${JSON.stringify(schema[key])}`);
  }
  if (schema.additionalProperties === false) out.push('no other properties');
  return out.join(', ');
}

function objectOf(schema) {
  if (!schema || typeof schema !== 'object') return null;
  if (schema.properties) return schema;
  if (schema.type === 'array' && schema.items && schema.items.properties) return schema.items;
  return null;
}

function schemaTable(schema, depth = 0) {
  const obj = objectOf(schema);
  if (!obj) return el('p', {}, el('span', { class: 'type' }, typeOf(schema)));
  const required = new Set(obj.required || []);
  const rows = Object.entries(obj.properties).map(([name, prop]) => {
    const nested = depth < 4 && objectOf(prop) ? el('div', { class: 'nested' }, schemaTable(prop, depth + 1)) : null;
    return el(
      'tr',
      {},
      el('td', {}, el('code', {}, name), required.has(name) ? el('span', { class: 'req' }, 'required') : null),
      el('td', { class: 'type' }, typeOf(prop)),
      el('td', {}, prop.description || '', constraints(prop) ? el('div', { class: 'summary' }, constraints(prop)) : null, nested),
    );
  });
  return el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Field'), el('th', {}, 'Type'), el('th', {}, 'Description'))), el('tbody', {}, rows));
}

function jsonSchemaOf(content) {
  return content && content['application/json'] && content['application/json'].schema;
}

function anchorOf(method, path) {
  return `op-${method}-${path}`.replace(/[^A-Za-z0-9_-]+/g, '-');
}

function renderOperation(path, method, op) {
  const id = anchorOf(method, path);
  const body = el('div', {});
  if (op.description) body.append(el('p', {}, op.description));
  if (op.parameters && op.parameters.length) {
    body.append(el('h3', {}, 'Query parameters'));
    body.append(schemaTable({ type: 'object', properties: Object.fromEntries(op.parameters.map((p) => [p.name, p.schema || {}])), required: op.parameters.filter((p) => p.required).map((p) => p.name) }));
  }
  const reqSchema = op.requestBody && jsonSchemaOf(op.requestBody.content);
  if (reqSchema) {
    body.append(el('h3', {}, 'Request body (application/json)'));
    body.append(schemaTable(reqSchema));
  }
  body.append(el('h3', {}, 'Responses'));
  for (const [status, response] of Object.entries(op.responses || {})) {
    const schema = jsonSchemaOf(response.content);
    const open = status.startsWith('2') ? { open: '' } : {};
    body.append(el('details', open, el('summary', {}, el('span', { class: 'status' }, status), ' ', response.description || ''), schema ? schemaTable(schema) : el('p', { class: 'summary' }, 'No body.')));
  }
  return el(
    'section',
    { class: 'op', id },
    el('header', {}, el('span', { class: `method ${method}` }, method), el('span', { class: 'path' }, path), el('span', { class: 'summary' }, op.summary || '')),
    body,
  );
}

async function render() {
  const url = main.dataset.openapi || '/openapi.json';
  let doc;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = await res.json();
  } catch (err) {
    main.replaceChildren(el('p', { class: 'error' }, `Could not load ${url}: ${err.message}`));
    return;
  }
  document.getElementById('title').textContent = `${doc.info.title} — API reference (OpenAPI ${doc.openapi}, v${doc.info.version})`;
  const description = document.getElementById('description');
  description.textContent = doc.info.description || '';
  if (/demo mode/i.test(doc.info.description || '')) description.className = 'demo';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  main.replaceChildren();
  toc.replaceChildren();
  for (const [tag, ops] of byTag) {
    toc.append(el('h2', {}, tag));
    main.append(el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      toc.append(el('a', { href: `#${anchorOf(method, path)}` }, `${method.toUpperCase()} ${path}`));
      main.append(renderOperation(path, method, op));
    }
  }
}

render();
