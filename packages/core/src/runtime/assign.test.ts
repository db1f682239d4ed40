import { describe, expect, it } from 'vitest';
import { assignOwn } from './assign.js';

describe('assignOwn', () => {
  it('copies as a spread does: later keys win in place, `__proto__` stays an own key and never becomes the prototype', () => {
    const source = JSON.parse('{"b":2,"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const out = assignOwn<Record<string, unknown>>({ a: 0, z: 9 }, source);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['a', 'z', 'b', '__proto__']);
    expect(out).toEqual({ ...{ a: 0, z: 9 }, ...source });
  });
});
