import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ed25519Library, signEd25519 } from './ed25519.js';
import { encodeJwsHeader, signWithEncodedHeader } from './jws-sign.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const keyFromSeed = (seed: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });

describe('signEd25519', () => {
  it('signs with libsodium here (sodium-native is installed in this repository), and with node:crypto when told to', () => {
    expect(ed25519Library()).toBe('libsodium');
    expect(ed25519Library('auto')).toBe('libsodium');
    expect(ed25519Library('node:crypto')).toBe('node:crypto');
  });

  it('gives node:crypto’s signature byte for byte, for any key and message (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 4096 }), (seed, message) => {
        const key = keyFromSeed(seed);
        const signature = signEd25519(key, message);
        expect(signature.length).toBe(64);
        expect(signature.equals(sign(null, message, key))).toBe(true);
        expect(signEd25519(key, message, 'node:crypto').equals(signature)).toBe(true);
        expect(verify(null, message, createPublicKey(key), signature)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('signs with keys made the way the key manager makes them (jose-generated, imported from JWK)', async () => {
    for (let i = 0; i < 5; i++) {
      const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
      const key = createPrivateKey({ key: (await exportJWK(privateKey)) as JsonWebKey, format: 'jwk' });
      const message = Buffer.from(`header.payload-${i}`);
      expect(signEd25519(key, message).equals(sign(null, message, key))).toBe(true);
    }
  });

  it('one key, many messages, and several keys in turn: each signature is its own key’s (no key mixed up in the cache)', () => {
    const keys = Array.from({ length: 4 }, () => generateKeyPairSync('ed25519'));
    for (let round = 0; round < 3; round++) {
      for (const [i, { privateKey, publicKey }] of keys.entries()) {
        const message = Buffer.from(`round ${round}, key ${i}`);
        const signature = signEd25519(privateKey, message);
        expect(verify(null, message, publicKey, signature)).toBe(true);
        for (const other of keys.filter((_, j) => j !== i)) expect(verify(null, message, other.publicKey, signature)).toBe(false);
      }
    }
  });

  it('a key that is not an Ed25519 private key is left to node:crypto, which refuses it as before', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => signEd25519(publicKey, Buffer.from('x'))).toThrow();
    const { privateKey: x25519 } = generateKeyPairSync('x25519');
    expect(() => signEd25519(x25519, Buffer.from('x'))).toThrow();
  });
});

describe('EdDSA tokens', () => {
  it('are the same text whichever library signs them', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const header = encodeJwsHeader('EdDSA', { kid: 'k1', typ: 'at+jwt' });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), (payload) => {
        expect(signWithEncodedHeader('EdDSA', privateKey, header, payload)).toBe(signWithEncodedHeader('EdDSA', privateKey, header, payload, 'node:crypto'));
      }),
      { numRuns: 200 },
    );
  });
});
