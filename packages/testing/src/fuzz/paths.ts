/** Dotted field paths (as `schemaFields` names them) read and written on plain JSON values. */

/** Marks a field for removal in `setPath`. */
export const DELETE = Symbol('delete');

/**
 * Sets (or deletes) a dotted path, creating objects on the way; `[]` segments pick element 0 (creating a
 * one-element array). Keys are defined as own properties, so `__proto__` stays data, as JSON.parse makes it.
 */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> | unknown[] = root;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    const key = part === '[]' ? 0 : part;
    const next = (node as Record<string | number, unknown>)[key];
    if (next === null || typeof next !== 'object') {
      if (value === DELETE) return;
      define(node, key, parts[i + 1] === '[]' ? [] : {});
    }
    node = (node as Record<string | number, unknown>)[key] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  const key = last === '[]' ? 0 : last;
  if (value === DELETE) delete (node as Record<string | number, unknown>)[key];
  else define(node, key, value);
}

/** A copy of `body` with `path` set to `value` (or removed, with `DELETE`). */
export function withPath(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  setPath(copy, path, value);
  return copy;
}

/** The value at a dotted path, or undefined. */
export function getPath(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part === '[]' ? 0 : part];
  }
  return node;
}

function define(node: object, key: string | number, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}
