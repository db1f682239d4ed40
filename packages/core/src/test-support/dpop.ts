/** DPoP proofs for the core's tests, made with jose so hostile ones (wrong typ, alg, keys, claims) can be built too. */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { accessTokenHash } from '../dpop/thumbprints.js';

export interface ProofKey {
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Seconds since the epoch. */
  iat: number;
  accessToken?: string;
  nonce?: string;
  jti?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

export function makeProof(key: ProofKey, options: ProofOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: options.htm ?? 'POST',
    htu: options.htu,
    jti: options.jti ?? randomUUID(),
    iat: options.iat,
    ...(options.accessToken !== undefined ? { ath: accessTokenHash(options.accessToken) } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...options.claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...options.header } as never)
    .sign(key.privateKey);
}
