/**
 * Compact-JWS signing on node:crypto KeyObjects: jose's WebCrypto path measured ~5× slower for Ed25519
 * (docs/benchmarks.md) and signing is on every login. Output is standard JWS: ES256 signatures in IEEE-P1363
 * form (r‖s), RS256 as RSASSA-PKCS1-v1_5 with SHA-256, EdDSA as raw Ed25519 (libsodium when installed: ed25519.ts).
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../stores/ports.js';
import { signEd25519, type Ed25519Signer } from './ed25519.js';

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The protected header as it appears in the token (base64url of its JSON, `alg` last). */
export function encodeJwsHeader(alg: SigningAlgorithm, header: Record<string, unknown>): string {
  return b64json({ ...header, alg });
}

export function signCompactJws(alg: SigningAlgorithm, key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return signWithEncodedHeader(alg, key, encodeJwsHeader(alg, header), payload);
}

/**
 * Scratch space for the bytes being signed: the payload JSON and then the signing input are written here rather
 * than into new buffers, one login after another. Safe because each write and its reader (`toString`, the
 * synchronous `crypto.sign`) follow each other with no other code in between. Larger tokens use fresh buffers.
 */
const scratch = Buffer.allocUnsafe(16 * 1024);

/** As `signCompactJws`, with the header already encoded (it is the same for every token of one key). */
export function signWithEncodedHeader(alg: SigningAlgorithm, key: KeyObject, encodedHeader: string, payload: Record<string, unknown>, ed25519: Ed25519Signer = 'auto'): string {
  const json = JSON.stringify(payload);
  // UTF-8 takes at most 3 bytes per UTF-16 unit and base64url 4 characters per 3 bytes: the payload's bytes,
  // then the header, a dot and the encoded payload, always fit when this holds.
  const fits = json.length * 4 + encodedHeader.length + 2 <= scratch.length;
  const encodedPayload = fits ? scratch.toString('base64url', 0, scratch.write(json)) : Buffer.from(json).toString('base64url');
  // The signing input `header.payload`, written part by part (no joined string to flatten first).
  let data: Buffer;
  if (fits) {
    const dot = scratch.write(encodedHeader, 0, 'latin1');
    scratch[dot] = 0x2e;
    data = scratch.subarray(0, dot + 1 + scratch.write(encodedPayload, dot + 1, 'latin1'));
  } else {
    data = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'latin1');
  }
  let signature: Buffer;
  switch (alg) {
    case 'EdDSA':
      signature = signEd25519(key, data, ed25519);
      break;
    case 'ES256':
      signature = cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'RS256':
      signature = cryptoSign('sha256', data, key);
      break;
    default:
      throw new Error(`unsupported algorithm ${String(alg)}`);
  }
  return `${encodedHeader}.${encodedPayload}.${signature.toString('base64url')}`;
}
