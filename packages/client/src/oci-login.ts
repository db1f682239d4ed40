/** Logs in to a Gatehouse (or Infisical-compatible) server with an OCI API key. */
import { fetch, type Dispatcher } from 'undici';
import { buildOciLoginBody, type OciLoginCredentials } from './oci-login-body.js';

export const OCI_LOGIN_ROUTE = '/api/v1/auth/oci-auth/login';

export interface OciLoginOptions extends OciLoginCredentials {
  /** The Gatehouse server, e.g. `https://auth.example.com`. */
  baseUrl: string | URL;
  /** undici dispatcher, e.g. an Agent with a private CA or a client certificate. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Whole-exchange timeout, ms (default 15000). */
  timeoutMs?: number;
}

export interface OciLoginResult {
  accessToken: string;
  expiresIn: number;
  accessTokenMaxTTL: number;
  tokenType: 'Bearer';
}

/** A refused login: `status` and the server's error body (Infisical shape: `{reqId, statusCode, message, error}`). */
export class OciLoginError extends Error {
  override readonly name = 'OciLoginError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `HTTP ${status}`;
    super(`OCI login failed (${status}): ${message}`);
  }
}

export async function loginWithOci(options: OciLoginOptions): Promise<OciLoginResult> {
  const { baseUrl, dispatcher, signal, timeoutMs = 15_000, ...credentials } = options;
  const body = await buildOciLoginBody(credentials);
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(new URL(OCI_LOGIN_ROUTE, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) throw new OciLoginError(res.status, parsed);
  const result = parsed as Partial<OciLoginResult> | undefined;
  if (typeof result?.accessToken !== 'string' || result.tokenType !== 'Bearer') throw new OciLoginError(res.status, parsed);
  return result as OciLoginResult;
}
