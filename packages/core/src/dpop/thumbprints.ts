/** The hashes token binding compares: JWK thumbprints (RFC 7638), certificate thumbprints (RFC 8705) and `ath`. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

/** RFC 7638 SHA-256 thumbprint, base64url: the `cnf.jkt` of a DPoP-bound token. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER certificate. */
export function certificateThumbprint(der: Uint8Array): string {
  return sha256(der).toString('base64url');
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the ASCII access token. */
export function accessTokenHash(accessToken: string): string {
  return sha256(accessToken).toString('base64url');
}

/** Constant-time equality of two strings (their SHA-256 digests are compared, so lengths leak nothing). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return timingSafeEqual(sha256(a), sha256(b));
}
