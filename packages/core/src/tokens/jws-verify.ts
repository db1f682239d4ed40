/**
 * Compact-JWS verification on node:crypto KeyObjects: the hot path of every token check. jose verifies through
 * WebCrypto, whose async overhead cost 30–70% of throughput against the raw signature check (docs/benchmarks.md);
 * this does the same checks synchronously. Strict by construction: only the three asymmetric algorithms we issue,
 * `crit`/`b64` refused, base64url alphabet enforced before decoding, signature length checked, key type must match.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../stores/ports.js';

/** What a signature check reads: the signed bytes and the signature. */
export interface SignedBytes {
  signingInput: Uint8Array;
  signature: Uint8Array;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Scratch space for decoding: a JSON part, or the signing input and the signature a signature check reads, are
 * written here instead of into new buffers (a token is at most 8 KiB). Safe because each write and its reader
 * (`toString`, the synchronous `crypto.verify`) follow each other with no other code in between; a view into it
 * is never kept, nor held across an `await`.
 */
const SCRATCH_HALF = 8192;
const scratch = Buffer.allocUnsafe(2 * SCRATCH_HALF);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A base64url JSON object part (header or payload), or null: alphabet checked before decoding, objects only. */
export function decodeJsonPart(part: string): Record<string, unknown> | null {
  if (!B64URL.test(part)) return null;
  let value: unknown;
  try {
    // Decoded through the scratch buffer: one string out, no intermediate Buffer per part.
    const length = part.length <= SCRATCH_HALF ? scratch.write(part, 0, 'base64url') : -1;
    value = JSON.parse(length >= 0 ? scratch.toString('utf8', 0, length) : Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return isRecord(value) ? value : null;
}

/** True when `part` (a signature, say) is base64url. */
export function isBase64url(part: string): boolean {
  return B64URL.test(part);
}

/**
 * Views of the scratch buffer by length, kept: tokens of one issuer have signatures of one length and signing
 * inputs of a few, and a view is an object per call otherwise.
 */
const inputViews = new Map<number, Buffer>();
const signatureViews = new Map<number, Buffer>();

function view(cache: Map<number, Buffer>, offset: number, length: number): Buffer {
  let v = cache.get(length);
  if (v === undefined) {
    v = scratch.subarray(offset, offset + length);
    if (cache.size >= 64) cache.clear();
    cache.set(length, v);
  }
  return v;
}

/**
 * Verifies the signature of a compact JWS whose parts were already checked as base64url (`decodeJsonPart`,
 * `isBase64url`), reading the signing input and the `signature` part through the scratch buffer.
 */
export function verifyCompactSignature(alg: SigningAlgorithm, key: KeyObject, token: string, secondDot: number, signature: string): boolean {
  if (secondDot > SCRATCH_HALF || signature.length > SCRATCH_HALF) return false;
  const inputLength = scratch.write(token, 0, secondDot, 'latin1');
  const signatureLength = scratch.write(signature, SCRATCH_HALF, 'base64url');
  return verifyJwsSignature(alg, key, { signingInput: view(inputViews, 0, inputLength), signature: view(signatureViews, SCRATCH_HALF, signatureLength) });
}

const KEY_TYPE: Record<SigningAlgorithm, string> = { EdDSA: 'ed25519', ES256: 'ec', RS256: 'rsa' };

/** Verifies the signature for `alg` with `key`; false on any mismatch (wrong key type, length, bytes). */
export function verifyJwsSignature(alg: SigningAlgorithm, key: KeyObject, jws: SignedBytes): boolean {
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
