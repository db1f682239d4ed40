/**
 * `JSON.stringify` for response bodies, with a fast path for what nearly every Gatehouse answer is: a flat plain
 * object of short strings, numbers, booleans and nulls (a token response, an error). V8's stringifier builds its
 * output in doubling chunks — ~2.4 KB of garbage for a 500-byte token response, the largest single allocation of a
 * login in heap profiles. The fast path writes the same bytes directly; anything else (nesting, a `toJSON`, a
 * character JSON escapes, a non-finite number) goes to `JSON.stringify`, so the output is always identical.
 * (fast-json-stringify needs a schema per shape; this needs none and falls back instead.)
 */
const SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function stringifyBody(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.getPrototypeOf(body) !== Object.prototype) return JSON.stringify(body);
  const record = body as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record)) {
    const value = record[key];
    let text: string;
    switch (typeof value) {
      case 'string':
        if (!SAFE.test(value)) return JSON.stringify(body);
        text = `"${value}"`;
        break;
      case 'number':
        if (!Number.isFinite(value)) return JSON.stringify(body);
        text = String(value);
        break;
      case 'boolean':
        text = value ? 'true' : 'false';
        break;
      case 'undefined':
        continue; // JSON.stringify leaves the member out
      default:
        if (value !== null) return JSON.stringify(body); // objects, arrays, functions, symbols, bigints
        text = 'null';
    }
    // `toJSON` as a member changes what JSON.stringify writes; a safe key needs no escaping.
    if (key === 'toJSON' || !SAFE.test(key)) return JSON.stringify(body);
    out += `${first ? '' : ','}"${key}":${text}`;
    first = false;
  }
  return `${out}}`;
}
