/** The one way the client posts a login and reads a token answer: no redirects, a timeout, typed failures. */
import { fetch, type Dispatcher } from 'undici';
import { createDpopProof, noteDpopNonce, type DpopKey } from './dpop.js';

/** The infisical-dialect success body every machine login answers with. */
export interface GatehouseTokenResponse {
  accessToken: string;
  expiresIn: number;
  /** 0 for a periodic token (renewable by its period, with no max TTL). */
  accessTokenMaxTTL: number;
  /** `DPoP` when the login carried a DPoP proof (the token is bound to that key), else `Bearer`. */
  tokenType: 'Bearer' | 'DPoP';
}

/** A refused (or unintelligible) login: the HTTP status and the server's error body. */
export class GatehouseLoginError extends Error {
  override name = 'GatehouseLoginError';
  constructor(
    readonly status: number,
    readonly body: unknown,
    what = 'login',
  ) {
    const message =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message.slice(0, 200)
        : `HTTP ${status}`;
    super(`${what} failed (${status}): ${message}`);
  }
}

export interface PostLoginOptions {
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Whole-exchange timeout, ms (default 15000). */
  timeoutMs?: number;
  /** Send a DPoP proof of this key: the token is bound to it (RFC 9449). */
  dpop?: DpopKey;
  /** For token routes (renew, revoke): the token the proof is about (`ath`). */
  dpopAccessToken?: string;
}

export async function postTokenLogin(
  url: URL,
  body: unknown,
  options: PostLoginOptions,
  refuse: (status: number, body: unknown) => GatehouseLoginError,
): Promise<GatehouseTokenResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const send = async () =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(options.dpop ? { dpop: await createDpopProof(options.dpop, { method: 'POST', url, accessToken: options.dpopAccessToken }) } : {}),
      },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  let res = await send();
  // A server that wants nonces answers use_dpop_nonce with one: retry once with it.
  if (options.dpop && noteDpopNonce(options.dpop, url, res.status, res.headers)) {
    await res.body?.cancel();
    res = await send();
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the raw text for the error
  }
  if (res.status !== 200 || !isTokenResponse(parsed)) throw refuse(res.status, parsed);
  return parsed;
}

function isTokenResponse(v: unknown): v is GatehouseTokenResponse {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.accessToken === 'string' && typeof r.expiresIn === 'number' && typeof r.accessTokenMaxTTL === 'number' && (r.tokenType === 'Bearer' || r.tokenType === 'DPoP');
}

export const RENEW_ROUTE = '/api/v1/auth/token/renew';

export interface RenewOptions extends Omit<PostLoginOptions, 'dpopAccessToken'> {
  baseUrl: string | URL;
  accessToken: string;
}

/**
 * `POST /api/v1/auth/token/renew`: a new token for the same session (inside its max TTL; a periodic token by its
 * period). A DPoP-bound token needs its key (`dpop`); a certificate-bound one, a `dispatcher` presenting the certificate.
 */
export function renewAccessToken(options: RenewOptions): Promise<GatehouseTokenResponse> {
  const { baseUrl, accessToken, ...rest } = options;
  return postTokenLogin(new URL(RENEW_ROUTE, baseUrl), { accessToken }, { ...rest, dpopAccessToken: accessToken }, (status, b) => new GatehouseLoginError(status, b, 'renew'));
}
