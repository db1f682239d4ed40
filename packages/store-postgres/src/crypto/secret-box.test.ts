import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretDecryptionError } from './secret-box.js';

describe('SecretBox (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const secret = 'JBSWY3DPEHPK3PXP';

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt(secret, 'users.mfa_totp_secret:u1');
    expect(sealed).toMatch(/^g1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.decrypt(sealed, 'users.mfa_totp_secret:u1')).toBe(secret);
  });

  it('uses a fresh IV every time', () => {
    const a = box.encrypt(secret, 'c');
    const b = box.encrypt(secret, 'c');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('binds the value to its context: moved to another record it does not decrypt', () => {
    const sealed = box.encrypt(secret, 'users.mfa_totp_secret:u1');
    expect(() => box.decrypt(sealed, 'users.mfa_totp_secret:u2')).toThrow(SecretDecryptionError);
  });

  it('detects tampering of ciphertext, tag or IV', () => {
    const sealed = box.encrypt(secret, 'c');
    const [v, id, iv, body] = sealed.split('.') as [string, string, string, string];
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0]! ^= 1;
      return b.toString('base64url');
    };
    expect(() => box.decrypt([v, id, iv, flip(body)].join('.'), 'c')).toThrow(/failed authentication/);
    expect(() => box.decrypt([v, id, flip(iv), body].join('.'), 'c')).toThrow(/failed authentication/);
    const lastFlipped = Buffer.from(body, 'base64url');
    lastFlipped[lastFlipped.length - 1]! ^= 1;
    expect(() => box.decrypt([v, id, iv, lastFlipped.toString('base64url')].join('.'), 'c')).toThrow(/failed authentication/);
  });

  it('refuses unknown formats and truncated values without echoing them', () => {
    for (const bad of ['', 'plain', 'g2.x.y.z', 'g1.a.b', 'g1.a.b.c.d']) {
      expect(() => box.decrypt(bad, 'ctx')).toThrow(SecretDecryptionError);
    }
    const sealed = box.encrypt(secret, 'c');
    const [v, id, iv] = sealed.split('.') as [string, string, string];
    expect(() => box.decrypt([v, id, iv, 'AAAA'].join('.'), 'c')).toThrow(/truncated/);
  });

  it('with another key: a clear error naming the key id, not garbage', () => {
    const sealed = box.encrypt(secret, 'c');
    const other = new SecretBox(randomBytes(32));
    expect(() => other.decrypt(sealed, 'c')).toThrow(/key that is not configured \(key id [0-9a-f]{8}\)/);
  });

  it('key rotation: previous keys still decrypt, new values use the current key', () => {
    const oldSealed = box.encrypt(secret, 'c');
    const next = new SecretBox(randomBytes(32), [key]);
    expect(next.decrypt(oldSealed, 'c')).toBe(secret);
    const newSealed = next.encrypt(secret, 'c');
    expect(newSealed.split('.')[1]).not.toBe(oldSealed.split('.')[1]);
    expect(() => box.decrypt(newSealed, 'c')).toThrow(SecretDecryptionError);
  });

  it('round-trips JSON', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d: 'private', x: 'public', nested: [1, { a: null }] };
    expect(box.decryptJson(box.encryptJson(jwk, 'k'), 'k')).toEqual(jwk);
  });
});
