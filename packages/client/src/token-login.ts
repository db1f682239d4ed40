/** The one way the client posts a login and reads a token answer: no redirects, a timeout, typed failures. */
import { fetch, type Dispatcher } from 'undici';

/** The infisical-dialect success body every machine login answers with. */
export interface GatehouseTokenResponse {
  accessToken: string;
  expiresIn: number;
  accessTokenMaxTTL: number;
  tokenType: 'Bearer';
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
}

export async function postTokenLogin(
  url: URL,
  body: unknown,
  options: PostLoginOptions,
  refuse: (status: number, body: unknown) => GatehouseLoginError,
): Promise<GatehouseTokenResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
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
  return typeof r.accessToken === 'string' && typeof r.expiresIn === 'number' && typeof r.accessTokenMaxTTL === 'number' && r.tokenType === 'Bearer';
}
