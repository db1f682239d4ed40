/**
 * Compact-JWS verification on node:crypto KeyObjects: the hot path of every token check. jose verifies through
 * WebCrypto, whose async overhead cost 30–70% of throughput against the raw signature check (docs/benchmarks.md);
 * this does the same checks synchronously. Strict by construction: only the three asymmetric algorithms we issue,
 * `crit`/`b64` refused, base64url alphabet enforced before decoding, signature length checked, key type must match.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../stores/ports.js';

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits and decodes a compact JWS; null for anything that is not exactly three well-formed parts. */
export function decodeCompactJws(token: string): DecodedJws | null {
  const a = token.indexOf('.');
  const b = token.indexOf('.', a + 1);
  if (a <= 0 || b <= a + 1 || b === token.length - 1 || token.indexOf('.', b + 1) !== -1) return null;
  const h = token.slice(0, a);
  const p = token.slice(a + 1, b);
  const s = token.slice(b + 1);
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return null;
  let header: unknown;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(header) || !isRecord(payload)) return null;
  return { header, payload, signingInput: Buffer.from(token.slice(0, b), 'latin1'), signature: Buffer.from(s, 'base64url') };
}

const KEY_TYPE: Record<SigningAlgorithm, string> = { EdDSA: 'ed25519', ES256: 'ec', RS256: 'rsa' };

/** Verifies the signature for `alg` with `key`; false on any mismatch (wrong key type, length, bytes). */
export function verifyJwsSignature(alg: SigningAlgorithm, key: KeyObject, jws: DecodedJws): boolean {
  if (key.type !== 'public' || key.asymmetricKeyType !== KEY_TYPE[alg]) return false;
  switch (alg) {
    case 'EdDSA':
      return jws.signature.length === 64 && cryptoVerify(null, jws.signingInput, key, jws.signature);
    case 'ES256':
      return (
        key.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
        jws.signature.length === 64 &&
        cryptoVerify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature)
      );
    case 'RS256':
      return jws.signature.length * 8 === (key.asymmetricKeyDetails?.modulusLength ?? -1) && cryptoVerify('sha256', jws.signingInput, key, jws.signature);
    default:
      return false;
  }
}
