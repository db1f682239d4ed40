/**
 * Recovery codes: `xxxxx-xxxxx` from an alphabet without look-alike characters (about 49 bits each),
 * stored only as SHA-256 hashes and consumed atomically by the user store.
 */
import { randomInt } from 'node:crypto';
import { sha256Hex } from '../hash.js';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

export function generateRecoveryCodes(count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let raw = '';
    for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(`${raw.slice(0, 5)}-${raw.slice(5)}`);
  }
  return [...codes];
}

/** Canonical form: trimmed, lower-case, without dashes or spaces. Null when it cannot be a code. */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.trim().toLowerCase().replace(/[\s-]/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** The at-rest form of a code (any accepted spelling hashes the same). */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(normaliseRecoveryCode(code) ?? code);
}
