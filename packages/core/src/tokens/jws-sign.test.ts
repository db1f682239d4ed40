import { generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJwsHeader, signWithEncodedHeader } from './jws-sign.js';

const keys = {
  EdDSA: generateKeyPairSync('ed25519'),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
} as const;

/** What a JWS payload part must be: base64url of the UTF-8 of the JSON, nothing else. */
const reference = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function checkSigned(alg: keyof typeof keys, payload: Record<string, unknown>) {
  const header = encodeJwsHeader(alg, { kid: 'k', typ: 'at+jwt' });
  const token = signWithEncodedHeader(alg, keys[alg].privateKey, header, payload);
  const [h, p, s] = token.split('.') as [string, string, string];
  expect(h).toBe(header);
  expect(p).toBe(reference(payload));
  const input = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const ok = alg === 'EdDSA' ? verify(null, input, keys[alg].publicKey, sig) : alg === 'ES256' ? verify('sha256', input, { key: keys[alg].publicKey, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha256', input, keys[alg].publicKey, sig);
  expect(ok).toBe(true);
}

describe('signWithEncodedHeader', () => {
  it('encodes any payload exactly as base64url(UTF-8(JSON)) and signs those bytes, whatever its size or characters (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom('EdDSA', 'ES256') as fc.Arbitrary<'EdDSA' | 'ES256'>, fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', maxLength: 3000 }), { maxKeys: 6 }), (alg, payload) => checkSigned(alg, payload)),
      { numRuns: 300 },
    );
  });

  it('around and past the scratch buffer: ASCII and 3-byte characters, up to 40 KB', () => {
    for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
      for (const n of [0, 1, 3000, 4090, 4095, 4096, 4100, 5461, 8000, 16_384, 40_000]) {
        checkSigned(alg, { sub: 'x', pad: 'a'.repeat(n) });
        checkSigned(alg, { sub: 'x', pad: '漢'.repeat(Math.ceil(n / 3)) });
      }
    }
    // Right at the bound, in the worst case (3 UTF-8 bytes per character): 16 KiB of base64url.
    for (let k = 4030; k <= 4090; k += 5) checkSigned('EdDSA', { pad: '漢'.repeat(k) });
    for (const k of [5400, 5470, 8000]) checkSigned('EdDSA', { pad: '漢'.repeat(k), more: 'é'.repeat(k) });
    checkSigned('EdDSA', { lone: '\ud800', emoji: '🔑', nul: '\u0000' });
  });
});
