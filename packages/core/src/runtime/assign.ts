/**
 * Copies `source`'s own enumerable string keys onto `target`, as an object spread would: `__proto__` becomes an own
 * key, never the prototype. Hot paths build objects with this and plain assignments instead of
 * `{ ...a, key: value }`: on Node 20 a spread followed by more keys measured over a microsecond per object.
 */
export function assignOwn<T extends object>(target: T, source: object): T {
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else (target as Record<string, unknown>)[key] = value;
  }
  return target;
}
