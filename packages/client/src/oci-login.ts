/** Logs in to a Gatehouse (or Infisical-compatible) server with an OCI API key. */
import type { Dispatcher } from 'undici';
import type { DpopKey } from './dpop.js';
import { GatehouseLoginError, postTokenLogin, type GatehouseTokenResponse } from './token-login.js';
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
  /** Prove this DPoP key: the token is bound to it (RFC 9449) and needs its proofs wherever it is used. */
  dpop?: DpopKey;
}

/** @deprecated alias of GatehouseTokenResponse */
export type OciLoginResult = GatehouseTokenResponse;

/** A refused login: `status` and the server's error body (Infisical shape: `{reqId, statusCode, message, error}`). */
export class OciLoginError extends GatehouseLoginError {
  override name = 'OciLoginError';
  constructor(status: number, body: unknown) {
    super(status, body, 'OCI login');
  }
}

export async function loginWithOci(options: OciLoginOptions): Promise<OciLoginResult> {
  const { baseUrl, dispatcher, signal, timeoutMs = 15_000, dpop, ...credentials } = options;
  const body = await buildOciLoginBody(credentials);
  return postTokenLogin(new URL(OCI_LOGIN_ROUTE, baseUrl), body, { dispatcher, signal, timeoutMs, dpop }, (status, b) => new OciLoginError(status, b));
}
