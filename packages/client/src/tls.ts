/** Logs in to a Gatehouse (or Infisical-compatible) server with a client certificate, over mutual TLS. */
import { Agent, type Dispatcher } from 'undici';
import type { DpopKey } from './dpop.js';
import { GatehouseLoginError, postTokenLogin, type GatehouseTokenResponse } from './token-login.js';

export const TLS_CERT_LOGIN_ROUTE = '/api/v1/auth/tls-cert-auth/login';

export interface TlsCertLoginOptions {
  /** The Gatehouse server, `https://…` (Infisical Cloud serves this route on port 8443, behind its ALB). */
  baseUrl: string | URL;
  identityId: string;
  /** The client certificate, PEM; append the intermediates after the leaf so the server can build the path. */
  certPem: string;
  /** The client certificate's private key, PEM. */
  keyPem: string;
  /** CA(s) that signed the *server's* certificate, PEM; omitted: the system/Node default roots. */
  caPem?: string;
  organizationSlug?: string;
  /** Server name for SNI and certificate checks when `baseUrl` names an IP or another host. */
  servername?: string;
  signal?: AbortSignal;
  /** Whole-exchange timeout, ms (default 15000). */
  timeoutMs?: number;
  /** Also prove this DPoP key: the token is bound to it (RFC 9449) as well as to the certificate if the identity asks. */
  dpop?: DpopKey;
}

export type TlsCertLoginResult = GatehouseTokenResponse;

/** A refused login: `status` and the server's error body (Infisical shape: `{reqId, statusCode, message, error}`). */
export class TlsCertLoginError extends GatehouseLoginError {
  override name = 'TlsCertLoginError';
  constructor(status: number, body: unknown) {
    super(status, body, 'TLS certificate login');
  }
}

/** An undici Agent that presents the client certificate on every connection (reuse it for further calls). */
export function createMtlsAgent(options: Pick<TlsCertLoginOptions, 'certPem' | 'keyPem' | 'caPem' | 'servername'>): Agent {
  return new Agent({
    connect: {
      cert: options.certPem,
      key: options.keyPem,
      ...(options.caPem !== undefined ? { ca: options.caPem } : {}),
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
    },
  });
}

export async function loginWithTlsCert(options: TlsCertLoginOptions): Promise<TlsCertLoginResult> {
  const url = new URL(TLS_CERT_LOGIN_ROUTE, options.baseUrl);
  if (url.protocol !== 'https:') throw new TypeError('loginWithTlsCert needs an https:// baseUrl: the certificate travels in the TLS handshake');
  const agent = createMtlsAgent(options);
  try {
    const body: Record<string, string> = { identityId: options.identityId };
    if (options.organizationSlug !== undefined) body.organizationSlug = options.organizationSlug;
    return await postTokenLogin(url, body, { dispatcher: agent as Dispatcher, signal: options.signal, timeoutMs: options.timeoutMs, dpop: options.dpop }, (status, b) => new TlsCertLoginError(status, b));
  } finally {
    await agent.close();
  }
}
