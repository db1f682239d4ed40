/**
 * The client certificate of a request, for certificate-bound tokens (RFC 8705 §3): the TLS peer's leaf, or —
 * only from a configured trusted proxy — the first certificate of the URL-encoded PEM chain in the proxy's
 * header (nginx `$ssl_client_escaped_cert`, AWS ALB `X-Amzn-Mtls-Clientcert`), as the tls-cert strategy reads it.
 */
import type { HeaderValue } from '../contract/http.js';
import { isTrustedProxy } from '../pipeline/client-address.js';

export interface CertificateFacts {
  headers: Record<string, HeaderValue>;
  socketAddress: string;
  peerCertificates?: Uint8Array[];
}

export interface ClientCertificateSource {
  /** Lower-case header name a TLS-terminating proxy writes the client's chain into. */
  header?: string;
  /** Addresses (CIDRs) whose header is believed. */
  trustedProxies: string[];
}

const MAX_HEADER_CHARS = 64 * 1024;
const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/;

export function clientCertificateOf(facts: CertificateFacts, source: ClientCertificateSource): Uint8Array | undefined {
  if (source.header && isTrustedProxy(facts.socketAddress, source.trustedProxies)) {
    // From a trusted proxy only its header counts: the socket's certificate, if any, is the proxy's own.
    const value = facts.headers[source.header];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HEADER_CHARS) return undefined;
    let pem: string;
    try {
      pem = decodeURIComponent(value);
    } catch {
      return undefined;
    }
    const body = FIRST_CERTIFICATE.exec(pem)?.[1];
    if (!body) return undefined;
    const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    return der.length > 0 ? new Uint8Array(der) : undefined;
  }
  return facts.peerCertificates?.[0];
}
