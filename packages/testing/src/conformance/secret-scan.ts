/**
 * Secret scanning for the strategy kit: the forms a declared secret can leak in (as is, base64, base64url,
 * hex, URL- and JSON-escaped, a PEM key's base64 body) and every string a response, log line or audit event
 * exposes — with JWTs, base64 runs and percent-encoding decoded one level, so a secret inside a token claim
 * or an encoded blob is found too. Findings name where and in which form, never the secret itself.
 */

/** A secret shorter than this would match innocent text by chance. */
export const MIN_SECRET_LENGTH = 8;

export type Secret = string | Uint8Array;

export interface SecretForm {
  /** Which declared secret: `secrets[i]`, or a label the caller gives. */
  secret: string;
  /** `as is`, `base64`, `hex`… */
  encoding: string;
  value: string;
}

/** Every form of each secret worth searching for (deduplicated; none shorter than MIN_SECRET_LENGTH). */
export function secretForms(secrets: readonly Secret[], labels: readonly string[] = []): SecretForm[] {
  const out: SecretForm[] = [];
  const seen = new Set<string>();
  secrets.forEach((secret, index) => {
    const label = labels[index] ?? `secrets[${index}]`;
    const text = typeof secret === 'string' ? secret : null;
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if ((text ?? bytes).length < MIN_SECRET_LENGTH) {
      throw new Error(`secrets[${index}] is shorter than ${MIN_SECRET_LENGTH} characters: it would match innocent text by chance; declare a real secret`);
    }
    const add = (encoding: string, value: string) => {
      if (value.length < MIN_SECRET_LENGTH || seen.has(value)) return;
      seen.add(value);
      out.push({ secret: label, encoding, value });
    };
    if (text !== null) {
      add('as is', text);
      add('JSON-escaped', JSON.stringify(text).slice(1, -1));
      add('URL-encoded', encodeURIComponent(text));
      add('form-encoded', new URLSearchParams({ s: text }).toString().slice(2));
      const pem = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(text);
      if (pem) add('PEM body', pem[1]!.replace(/\s+/g, ''));
    } else if (isUtf8Text(bytes)) {
      add('as text', bytes.toString('utf8'));
    }
    add('base64', bytes.toString('base64'));
    add('base64 (unpadded)', bytes.toString('base64').replace(/=+$/, ''));
    add('base64url', bytes.toString('base64url'));
    add('hex', bytes.toString('hex'));
    add('HEX', bytes.toString('hex').toUpperCase());
  });
  return out;
}

/** A string some output exposes, and where. */
export interface Exposed {
  where: string;
  text: string;
}

/** Bounds on what one scan walks: hostile input can make outputs deep or large. */
const MAX_NODES = 200_000;
const MAX_DECODE_CANDIDATE = 64 * 1024;
const MAX_DECODES_PER_STRING = 200;

/**
 * Every string (values and keys) in `value`, plus one level of decoding: JWT headers and payloads, base64
 * runs that decode to text, percent-encoded text. Iterative, bounded (deep or huge output cannot stall it).
 */
export function exposedStrings(value: unknown, where: string): Exposed[] {
  const out: Exposed[] = [];
  const stack: [unknown, string][] = [[value, where]];
  let nodes = 0;
  while (stack.length && nodes++ < MAX_NODES) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      out.push({ where: path, text: node });
      for (const decoded of decodings(node)) {
        out.push({ where: `${path} (${decoded.how})`, text: decoded.text });
        if (decoded.json !== undefined) stack.push([decoded.json, `${path} (${decoded.how})`]);
      }
      continue;
    }
    if (node instanceof Uint8Array) {
      stack.push([Buffer.from(node).toString('utf8'), path]);
      continue;
    }
    if (node instanceof Date || node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
      continue;
    }
    for (const key of Object.keys(node)) {
      out.push({ where: `${path} (key)`, text: key });
      stack.push([(node as Record<string, unknown>)[key], `${path}.${key}`]);
    }
  }
  return out;
}

interface Decoded {
  how: string;
  text: string;
  json?: unknown;
}

/**
 * Candidates are found by splitting on characters they cannot contain (linear time): a regular expression
 * for "a run, a dot, a run" backtracks quadratically over a megabyte of letters, which hostile input is.
 */
function decodings(s: string): Decoded[] {
  const out: Decoded[] = [];
  if (s.length > 4 * 1024 * 1024) return out;
  let budget = MAX_DECODES_PER_STRING;
  for (const token of s.split(/[^A-Za-z0-9_.-]+/)) {
    if (budget <= 0) break;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0]!.length < 8 || parts[1]!.length < 8 || token.length > MAX_DECODE_CANDIDATE) continue;
    budget--;
    for (const [part, how] of [[parts[0]!, 'decoded JWT header'], [parts[1]!, 'decoded JWT payload']] as const) {
      const text = Buffer.from(part, 'base64url').toString('utf8');
      out.push({ how, text, json: tryJson(text) });
    }
  }
  for (const token of s.split(/[^A-Za-z0-9+/_=-]+/)) {
    if (budget <= 0) break;
    if (token.length < 16 || token.length > MAX_DECODE_CANDIDATE) continue;
    budget--;
    const bytes = Buffer.from(token, 'base64');
    if (bytes.length >= MIN_SECRET_LENGTH && isUtf8Text(bytes)) {
      const text = bytes.toString('utf8');
      out.push({ how: 'decoded base64', text, json: tryJson(text) });
    }
  }
  if (s.length <= MAX_DECODE_CANDIDATE && /%[0-9A-Fa-f]{2}|\+/.test(s)) {
    try {
      out.push({ how: 'URL-decoded', text: decodeURIComponent(s.replace(/\+/g, ' ')) });
      out.push({ how: 'URL-decoded', text: decodeURIComponent(s) });
    } catch {
      // not percent-encoding after all
    }
  }
  return out;
}

function tryJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Valid UTF-8 that is mostly printable: decoded bytes worth scanning as text. */
function isUtf8Text(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) return false;
  let printable = 0;
  for (const ch of text) if (/[\p{L}\p{N}\p{P}\p{S}\p{Zs}\n\r\t]/u.test(ch)) printable++;
  return printable >= text.length * 0.9;
}

export interface SecretFinding {
  secret: string;
  encoding: string;
  where: string;
}

/** Where any form of any secret occurs among the exposed strings. */
export function findSecrets(exposed: readonly Exposed[], forms: readonly SecretForm[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { where, text } of exposed) {
    if (text.length < MIN_SECRET_LENGTH) continue;
    for (const form of forms) {
      if (text.includes(form.value)) findings.push({ secret: form.secret, encoding: form.encoding, where });
    }
  }
  return findings;
}

/** Replaces every form of every secret in `text` with a placeholder naming it (for diffs in failure messages). */
export function redact(text: string, forms: readonly SecretForm[]): string {
  let out = text;
  for (const form of [...forms].sort((a, b) => b.value.length - a.value.length)) out = out.split(form.value).join(`<${form.secret}>`);
  return out;
}

/** One line per finding, for a failure message (the secret itself is never printed). */
export function describeFindings(findings: readonly SecretFinding[], limit = 20): string {
  const lines = findings.slice(0, limit).map((f) => `${f.secret} (${f.encoding}) in ${f.where}`);
  if (findings.length > limit) lines.push(`… and ${findings.length - limit} more`);
  return lines.join('\n');
}
