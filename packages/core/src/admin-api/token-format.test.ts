import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_PATTERN, generateAdminToken, hashAdminToken, isWellFormedAdminToken } from './token-format.js';

describe('admin token format', () => {
  it('gha_ + 32 random bytes + a checksum: matches the published pattern, every token differs', () => {
    const tokens = Array.from({ length: 200 }, generateAdminToken);
    for (const t of tokens) {
      expect(t).toMatch(ADMIN_TOKEN_PATTERN);
      expect(t).toHaveLength(53);
      expect(isWellFormedAdminToken(t)).toBe(true);
    }
    expect(new Set(tokens).size).toBe(200);
  });

  it('a changed character, a wrong prefix, a truncation or a non-canonical encoding fails the check', () => {
    const t = generateAdminToken();
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (let i = 4; i < t.length; i++) expect(isWellFormedAdminToken(flip(t, i)), `position ${i}`).toBe(false);
    expect(isWellFormedAdminToken(`ghp_${t.slice(4)}`)).toBe(false);
    expect(isWellFormedAdminToken(t.slice(0, -1))).toBe(false);
    expect(isWellFormedAdminToken(`${t}A`)).toBe(false);
    expect(isWellFormedAdminToken('')).toBe(false);
    expect(isWellFormedAdminToken('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(false);
  });

  it('is stored as hex SHA-256 of the whole token', () => {
    const t = generateAdminToken();
    expect(hashAdminToken(t)).toBe(createHash('sha256').update(t).digest('hex'));
    expect(hashAdminToken(t)).not.toContain(t.slice(4, 20));
  });
});
