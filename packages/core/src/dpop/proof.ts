/**
 * DPoP proof verification (RFC 9449 §4.3), for logins (no access token yet) and for every use of a
 * DPoP-bound token (with `ath` and the token's `cnf.jkt`). The cheap checks run first and the `jti` is
 * claimed last, through the caller's atomic store, so a refused proof never burns an entry and a replayed
 * one is refused however many instances share that store.
 */
import { compactVerify, decodeProtectedHeader, EmbeddedJWK, type CompactJWSHeaderParameters, type CryptoKey, type FlattenedJWSInput, type JWK } from 'jose';
import { DpopProofError } from './errors.js';
import { normalizeHtu } from './htu.js';
import { accessTokenHash, jwkThumbprint, sameValue } from './thumbprints.js';

/** Asymmetric JWS algorithms a proof may use. `none` and MACs are not representable. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

export interface DpopPolicy {
  /** Allow-list of proof algorithms (advertised in `WWW-Authenticate: DPoP algs="…"`). */
  algorithms: DpopAlgorithm[];
  /** How old a proof's `iat` may be, seconds. */
  maxAgeSeconds: number;
  /** Tolerated clock difference (a proof from slightly in the future, or slightly older than the max age), seconds. */
  clockSkewSeconds: number;
}

export const DEFAULT_DPOP_POLICY: DpopPolicy = {
  algorithms: ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
  maxAgeSeconds: 60,
  clockSkewSeconds: 5,
};

/** What the request the proof came with says. */
export interface ProofExpectation {
  /** The request's method (`htm`). */
  method: string;
  /** The URLs the request may have been addressed to (`htu` must equal one after normalisation). */
  urls: readonly string[];
  /** The access token sent with the proof: `ath` must be its hash. Absent at login. */
  accessToken?: string;
  /** The token's `cnf.jkt`: the proof's key must have this thumbprint. */
  jkt?: string;
}

export interface ProofChecks {
  /** The injected clock's now. */
  now: Date;
  /**
   * Records `key` until `expiresAt`, atomically: true for the first claim, false for every later one
   * (a Gatehouse `ReplayStore.claim`, shared by every instance).
   */
  claim(key: string, expiresAt: Date): Promise<boolean>;
  /** When set, the proof must carry a `nonce` this accepts. */
  nonce?: { check(value: unknown, now: Date): boolean };
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof's public key. */
  jkt: string;
  jwk: JWK;
  alg: string;
  jti: string;
  iat: number;
}

/** A compact JWS; a proof with a 4096-bit RSA key is about 1.5 KB. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_PROOF_CHARS = 8192;
const MAX_JTI_CHARS = 256;

/**
 * Imported proof keys, by the exact `alg` and `jwk` they came from: a client proves the same key on every request,
 * and importing it is most of a proof's cost. Only keys EmbeddedJWK accepted are kept; bounded.
 */
const importedKeys = new Map<string, CryptoKey>();
const IMPORTED_KEYS_MAX = 1024;

async function cachedEmbeddedJwk(protectedHeader: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
  const id = JSON.stringify([protectedHeader.alg, protectedHeader.jwk]);
  const cached = importedKeys.get(id);
  if (cached) return cached;
  const key = await EmbeddedJWK(protectedHeader, token);
  if (importedKeys.size >= IMPORTED_KEYS_MAX) importedKeys.clear();
  importedKeys.set(id, key);
  return key;
}

/** RFC 7638 thumbprints of the same keys, by their JWK text (a SHA-256 of canonical members; bounded). */
const thumbprints = new Map<string, string>();

async function cachedThumbprint(jwk: JWK): Promise<string> {
  const id = JSON.stringify(jwk);
  const known = thumbprints.get(id);
  if (known) return known;
  const jkt = await jwkThumbprint(jwk);
  if (thumbprints.size >= IMPORTED_KEYS_MAX) thumbprints.clear();
  thumbprints.set(id, jkt);
  return jkt;
}

const refuse = (reasonCode: string, error?: ConstructorParameters<typeof DpopProofError>[1]) => new DpopProofError(reasonCode, error);

/** One `DPoP` header value, exactly (RFC 9449 §4.3 check 1); anything else is refused. */
export function singleProof(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw refuse('dpop_proof_missing');
  if (Array.isArray(header)) {
    if (header.length !== 1) throw refuse('dpop_proof_multiple');
    return singleProof(header[0]);
  }
  if (header.length > MAX_PROOF_CHARS) throw refuse('dpop_proof_too_large');
  // Repeated headers arrive joined with ", ": a JWS has neither.
  if (!COMPACT_JWS.test(header)) throw refuse(header.includes(',') ? 'dpop_proof_multiple' : 'dpop_proof_malformed');
  return header;
}

export async function verifyDpopProof(
  header: string | string[] | undefined,
  expected: ProofExpectation,
  policy: DpopPolicy,
  checks: ProofChecks,
): Promise<VerifiedDpopProof> {
  const proof = singleProof(header);
  let protectedHeader: ReturnType<typeof decodeProtectedHeader>;
  try {
    protectedHeader = decodeProtectedHeader(proof);
  } catch {
    throw refuse('dpop_proof_malformed');
  }
  if (typeof protectedHeader.typ !== 'string' || protectedHeader.typ.toLowerCase() !== 'dpop+jwt') throw refuse('dpop_proof_typ');
  const alg = protectedHeader.alg;
  if (typeof alg !== 'string' || !(policy.algorithms as string[]).includes(alg)) throw refuse('dpop_proof_alg');
  if (protectedHeader.crit !== undefined || protectedHeader.b64 !== undefined) throw refuse('dpop_proof_malformed');
  const jwk = protectedHeader.jwk;
  if (!jwk || typeof jwk !== 'object') throw refuse('dpop_proof_jwk');

  let payloadBytes: Uint8Array;
  try {
    // EmbeddedJWK refuses symmetric and private keys; `algorithms` holds jose to the allow-list.
    ({ payload: payloadBytes } = await compactVerify(proof, cachedEmbeddedJwk, { algorithms: policy.algorithms }));
  } catch {
    throw refuse('dpop_proof_signature');
  }
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    payload = parsed as Record<string, unknown>;
  } catch {
    throw refuse('dpop_proof_malformed');
  }

  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_CHARS) throw refuse('dpop_proof_jti');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw refuse('dpop_proof_iat');
  if (htm !== expected.method) throw refuse('dpop_htm_mismatch');
  const target = normalizeHtu(htu);
  if (target === null || !expected.urls.some((url) => normalizeHtu(url) === target)) throw refuse('dpop_htu_mismatch');

  if (checks.nonce && !checks.nonce.check(payload.nonce, checks.now)) {
    throw refuse(payload.nonce === undefined ? 'dpop_nonce_missing' : 'dpop_nonce_stale', 'use_dpop_nonce');
  }
  const now = checks.now.getTime() / 1000;
  if (iat > now + policy.clockSkewSeconds) throw refuse('dpop_proof_future');
  if (iat < now - policy.maxAgeSeconds - policy.clockSkewSeconds) throw refuse('dpop_proof_stale');

  if (expected.accessToken !== undefined && !sameValue(payload.ath, accessTokenHash(expected.accessToken))) throw refuse('dpop_ath_mismatch');
  const jkt = await cachedThumbprint(jwk as JWK);
  if (expected.jkt !== undefined && !sameValue(jkt, expected.jkt)) throw refuse('dpop_key_mismatch', 'invalid_token');

  // Kept until the proof could no longer pass the iat check, so a replay inside that window always collides.
  const expiresAt = new Date(Math.max(iat + policy.maxAgeSeconds + policy.clockSkewSeconds, now) * 1000 + 1000);
  if (!(await checks.claim(`${jkt}:${jti}`, expiresAt))) throw refuse('dpop_proof_replayed');
  return { jkt, jwk: jwk as JWK, alg, jti, iat };
}

/** The `algs` parameter of a `WWW-Authenticate: DPoP` challenge. */
export function algsParameter(policy: Pick<DpopPolicy, 'algorithms'>): string {
  return `algs="${policy.algorithms.join(' ')}"`;
}
