/**
 * DPoP (RFC 9449) on the client side: a key pair, proofs for logins and for resource calls, and the one
 * retry a server nonce (`use_dpop_nonce` + `DPoP-Nonce`) asks for. Proofs are made by panva's `dpop`
 * (WebCrypto); keys come from a generated pair or a PEM private key (the CLI's `--dpop-key`).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateThumbprint, generateKeyPair, generateProof, type JWSAlgorithm, type KeyPair } from 'dpop';
import { importJWK, importPKCS8, type CryptoKey } from 'jose';
import { fetch, type Dispatcher, type RequestInit, type Response } from 'undici';

export type DpopAlgorithm = JWSAlgorithm;

/** A DPoP key: hold on to it, every use of a token bound to it needs a proof made with it. */
export interface DpopKey {
  alg: DpopAlgorithm;
  keyPair: KeyPair;
  /** RFC 7638 thumbprint: the `cnf.jkt` of the tokens bound to this key. */
  thumbprint: string;
  /** The last `DPoP-Nonce` each server origin sent (bounded). */
  nonces: Map<string, string>;
}

const MAX_NONCE_ORIGINS = 64;

async function fromPair(alg: DpopAlgorithm, keyPair: KeyPair): Promise<DpopKey> {
  return { alg, keyPair, thumbprint: await calculateThumbprint(keyPair.publicKey), nonces: new Map() };
}

/** A fresh key pair; the private key is not extractable. Default ES256. */
export async function generateDpopKey(alg: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
  return fromPair(alg, await generateKeyPair(alg));
}

function algorithmOf(key: KeyObject): DpopAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'rsa') return 'PS256';
  throw new TypeError(`DPoP key: ${type === 'ec' ? `EC curve ${key.asymmetricKeyDetails?.namedCurve}` : type} is not supported (use a P-256, Ed25519 or RSA key)`);
}

/**
 * A key from a PEM private key (PKCS#8, SEC1 or PKCS#1; P-256 → ES256, Ed25519, RSA → PS256 unless `alg` says
 * RS256). The message of a failure names the problem, never the key.
 */
export async function loadDpopKey(pem: string | Buffer, options: { alg?: DpopAlgorithm; passphrase?: string } = {}): Promise<DpopKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(options.passphrase === undefined ? pem : { key: pem, passphrase: options.passphrase });
  } catch {
    throw new TypeError('DPoP key: not a readable PEM private key');
  }
  const inferred = algorithmOf(privateKey);
  const alg = options.alg ?? inferred;
  const compatible = inferred === 'PS256' ? alg === 'PS256' || alg === 'RS256' : alg === inferred;
  if (!compatible) {
    throw new TypeError(`DPoP key: a ${privateKey.asymmetricKeyType} key cannot sign ${alg}`);
  }
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const keyPair: KeyPair = {
    privateKey: (await importPKCS8(pkcs8, alg)) as CryptoKey as KeyPair['privateKey'],
    publicKey: (await importJWK(jwk, alg, { extractable: true })) as CryptoKey as KeyPair['publicKey'],
  };
  return fromPair(alg, keyPair);
}

/** The `htu` of a URL: without its query and fragment (RFC 9449 §4.2). */
function htuOf(url: string | URL): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** A proof for one request (`accessToken`: for a resource call or a token route, sets `ath`). */
export function createDpopProof(key: DpopKey, request: { method: string; url: string | URL; accessToken?: string; nonce?: string }): Promise<string> {
  const nonce = request.nonce ?? key.nonces.get(new URL(request.url).origin);
  return generateProof(key.keyPair, htuOf(request.url), request.method.toUpperCase(), nonce, request.accessToken);
}

/** Remembers the server's `DPoP-Nonce`; true when the answer asks to retry with it (RFC 9449 §8, §9). */
export function noteDpopNonce(key: DpopKey, url: string | URL, status: number, headers: { get(name: string): string | null }): boolean {
  const nonce = headers.get('dpop-nonce');
  if (!nonce || nonce.length > 256) return false;
  const origin = new URL(url).origin;
  if (!key.nonces.has(origin) && key.nonces.size >= MAX_NONCE_ORIGINS) key.nonces.delete(key.nonces.keys().next().value!);
  key.nonces.set(origin, nonce);
  const challenge = headers.get('www-authenticate') ?? '';
  return (status === 400 || status === 401) && /\bDPoP\b[^,]*error="use_dpop_nonce"/i.test(challenge);
}

export interface DpopFetchInit extends Omit<RequestInit, 'headers'> {
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

/**
 * `fetch` for a resource server with a DPoP-bound token: `Authorization: DPoP <token>` and a fresh proof per
 * request, retried once with the server's nonce when it asks for one.
 */
export async function dpopFetch(key: DpopKey, accessToken: string, url: string | URL, init: DpopFetchInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const send = async () =>
    fetch(url, {
      ...init,
      method,
      headers: { ...init.headers, authorization: `DPoP ${accessToken}`, dpop: await createDpopProof(key, { method, url, accessToken }) },
    });
  const res = await send();
  if (!noteDpopNonce(key, url, res.status, res.headers)) return res;
  await res.body?.cancel();
  return send();
}
