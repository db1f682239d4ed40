/** Builds a `Presentation` from a framework-neutral request: scheme, method, URLs, DPoP header, client certificate. */
import type { HeaderValue } from '../contract/http.js';
import type { TrustProxy } from '../pipeline/client-address.js';
import { clientCertificateOf } from './client-certificate.js';
import { requestUrls } from './request-urls.js';
import type { Presentation } from './token-binding.js';

export interface PresentationFacts {
  method: string;
  /** Path as received, without the query string. */
  path: string;
  headers: Record<string, HeaderValue>;
  socketAddress: string;
  protocol: 'http' | 'https';
  peerCertificates?: Uint8Array[];
}

/** Where a server learns its own URLs and its clients' certificates (see `requestUrls`, `clientCertificateOf`). */
export interface PresentationOptions {
  trustProxy: TrustProxy;
  /** Normalised base URLs (`parsePublicUrls`). */
  publicUrls: readonly string[];
  clientCertificateHeader?: string;
  clientCertificateProxies: string[];
}

export function presentationOf(facts: PresentationFacts, scheme: Presentation['scheme'], options: PresentationOptions): Presentation {
  const clientCertificate = clientCertificateOf(facts, { header: options.clientCertificateHeader, trustedProxies: options.clientCertificateProxies });
  return {
    scheme,
    method: facts.method.toUpperCase(),
    urls: requestUrls(facts, options),
    dpop: facts.headers.dpop,
    ...(clientCertificate ? { clientCertificate } : {}),
  };
}

/** RFC 6750 §2.1 / RFC 9449 §7.1: `Bearer` or `DPoP` (any case), one or more spaces, a token68. */
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The scheme and token of an `Authorization` header, or undefined when absent or malformed. */
export function authorizationToken(header: HeaderValue): { scheme: 'Bearer' | 'DPoP'; token: string } | undefined {
  if (typeof header !== 'string' || header.length > 8200) return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match) return undefined;
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2]! };
}
