import { describe, expect, it } from 'vitest';
import { HUGE_STRING, NASTY_STRINGS, hostileValuesFor } from './hostile.js';
import { DELETE, getPath, setPath, withPath } from './paths.js';

describe('paths', () => {
  it('sets nested and array paths, creating what is missing, without touching the original', () => {
    const body = { a: { b: 1 }, list: [{ x: 1 }] };
    expect(withPath(body, 'a.c.d', 2)).toEqual({ a: { b: 1, c: { d: 2 } }, list: [{ x: 1 }] });
    expect(withPath(body, 'list.[].x', null)).toEqual({ a: { b: 1 }, list: [{ x: null }] });
    expect(withPath({}, 'items.[]', 'v')).toEqual({ items: ['v'] });
    expect(withPath(body, 'a.b', DELETE)).toEqual({ a: {}, list: [{ x: 1 }] });
    expect(body).toEqual({ a: { b: 1 }, list: [{ x: 1 }] });
    expect(getPath(body, 'list.[].x')).toBe(1);
    expect(getPath(body, 'a.missing.deeper')).toBeUndefined();
  });

  it('writes __proto__ as an own data property, as JSON.parse does, never as the prototype', () => {
    const target: Record<string, unknown> = {};
    setPath(target, '__proto__', { polluted: true });
    expect(Object.keys(target)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(target)).toBe('{"__proto__":{"polluted":true}}');
  });
});

describe('hostileValuesFor', () => {
  it('has every class once: null, wrong types, operator and prototype objects, every nasty string, 1 MiB, deep nesting, limits', () => {
    const values = hostileValuesFor({ type: 'string', maxLength: 16 });
    const labels = values.map((v) => v.label);
    for (const label of ['null', 'true', '0', '[]', '{}', '{"$gt":""}', '{"__proto__":{"polluted":true}}', '1 MiB string', '10000 levels of nesting', 'string at maxLength (16)', 'string one past maxLength (17)']) {
      expect(labels).toContain(label);
    }
    for (const s of NASTY_STRINGS) expect(values.some((v) => v.value === s)).toBe(true);
    expect(values.find((v) => v.label === '1 MiB string')!.value).toBe(HUGE_STRING);
    // Deep, yet small enough for a 64 KiB body: ~4 bytes of JSON a level.
    let depth = 0;
    for (let v = values.find((x) => x.label === '10000 levels of nesting')!.value; typeof v === 'object' && v !== null; depth++) v = Array.isArray(v) ? v[0] : (v as { a: unknown }).a;
    expect(depth).toBe(10_000);
  });

  it('adds the bounds of numbers and arrays', () => {
    expect(hostileValuesFor({ type: 'integer', minimum: 1, maximum: 10 }).map((v) => v.value)).toEqual(expect.arrayContaining([0, 11]));
    expect(hostileValuesFor({ type: 'array', maxItems: 2 }).find((v) => v.label.startsWith('array one past'))!.value).toHaveLength(3);
  });
});
