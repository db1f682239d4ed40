import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyBody } from './json.js';

describe('stringifyBody', () => {
  it('writes exactly what JSON.stringify writes, for any value (fast-check)', () => {
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 5e-7, 'a"b', 'a\\b', '\u007f', '\u0000', '\ud800', 'é'),
    );
    const body = fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('toJSON', '__proto__', 'a"b', '')), leaf),
      fc.dictionary(fc.string(), fc.oneof(leaf, fc.array(leaf), fc.dictionary(fc.string(), leaf))),
      leaf,
      fc.array(leaf),
    );
    fc.assert(
      fc.property(body, (b) => {
        expect(stringifyBody(b)).toBe(JSON.stringify(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('the shapes that take the fast path and those that do not', () => {
    const token = { accessToken: 'eyJ.abc_-.sig', expiresIn: 2592000, accessTokenMaxTTL: 2592000, tokenType: 'Bearer' };
    expect(stringifyBody(token)).toBe(JSON.stringify(token));
    const withToJson = { a: 1, toJSON: () => 'x' };
    expect(stringifyBody(withToJson)).toBe('"x"');
    expect(stringifyBody(new Date(0))).toBe(JSON.stringify(new Date(0)));
    expect(stringifyBody(Object.assign(Object.create(null) as object, { a: 1 }))).toBe('{"a":1}');
    expect(stringifyBody({ big: 10n ** 30n === 0n ? 1 : 2, s: Symbol.for('x') })).toBe(JSON.stringify({ big: 2, s: Symbol.for('x') }));
  });
});
