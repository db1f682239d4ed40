import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { assertStorableInput, findUnstorableString } from './validation.js';

/** Strings that sometimes carry what no store can hold: NUL, lone surrogates. */
const hostileString = fc.oneof(fc.string(), fc.constantFrom('a\u0000b', '\ud800', 'x\udfffy', '\u0000'), fc.string({ unit: 'binary' }));
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileString, tie('value'), { maxKeys: 4 })),
})).value;

describe('assertStorableInput', () => {
  it('refuses exactly what findUnstorableString finds, naming that path (fast-check)', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const path = findUnstorableString(value);
        let thrown: unknown;
        try {
          assertStorableInput(value);
        } catch (err) {
          thrown = err;
        }
        if (path === null) {
          expect(thrown).toBeUndefined();
        } else {
          expect(thrown).toBeInstanceOf(AuthError);
          expect((thrown as AuthError).issues?.[0]?.path).toBe(path);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('walks as deep as findUnstorableString does, and no deeper', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 63; i++) deep = { k: deep };
    expect(findUnstorableString(deep)).not.toBeNull();
    expect(() => assertStorableInput(deep)).toThrow(AuthError);
    let deeper: unknown = { k: 'a\u0000' };
    for (let i = 0; i < 100; i++) deeper = { k: deeper };
    expect(findUnstorableString(deeper)).toBeNull();
    expect(() => assertStorableInput(deeper)).not.toThrow();
  });
});
