/**
 * Compact-JWS signing on node:crypto KeyObjects: jose's WebCrypto path measured ~5× slower for Ed25519
 * (docs/benchmarks.md) and signing is on every login. Output is standard JWS: ES256 signatures in IEEE-P1363
 * form (r‖s), RS256 as RSASSA-PKCS1-v1_5 with SHA-256, EdDSA as raw Ed25519.
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../stores/ports.js';

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The protected header as it appears in the token (base64url of its JSON, `alg` last). */
export function encodeJwsHeader(alg: SigningAlgorithm, header: Record<string, unknown>): string {
  return b64json({ ...header, alg });
}

export function signCompactJws(alg: SigningAlgorithm, key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return signWithEncodedHeader(alg, key, encodeJwsHeader(alg, header), payload);
}

/** As `signCompactJws`, with the header already encoded (it is the same for every token of one key). */
export function signWithEncodedHeader(alg: SigningAlgorithm, key: KeyObject, encodedHeader: string, payload: Record<string, unknown>): string {
  const input = `${encodedHeader}.${b64json(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  switch (alg) {
    case 'EdDSA':
      signature = cryptoSign(null, data, key);
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
  return `${input}.${signature.toString('base64url')}`;
}
