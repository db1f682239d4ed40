import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';

describe('recovery codes', () => {
  it('generates distinct xxxxx-xxxxx codes without look-alike characters', () => {
    const codes = generateRecoveryCodes(20);
    expect(new Set(codes).size).toBe(20);
    for (const c of codes) {
      expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(c).not.toMatch(/[01ilo]/);
    }
  });

  it('normalises spellings to one form and refuses non-codes', () => {
    expect(normaliseRecoveryCode(' ABCDE-FGHJK ')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('abcde fghjk')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('abcdefghjk')).toBe('abcdefghjk');
    for (const bad of ['', 'abcde-fghj', 'abcde-fghjkm', 'abcde-fghj1', 'abcde-fghjö']) expect(normaliseRecoveryCode(bad)).toBeNull();
  });

  it('hashes every spelling of a code the same (SHA-256 hex), different codes differently', () => {
    const h = hashRecoveryCode('abcde-fghjk');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(' ABCDEFGHJK')).toBe(h);
    expect(hashRecoveryCode('abcde-fghjm')).not.toBe(h);
  });
});
