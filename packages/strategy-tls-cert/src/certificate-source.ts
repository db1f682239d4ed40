// Where the client certificate comes from: the TLS socket (adapters pass the peer chain, leaf first), or —
// only when the TCP peer is a configured trusted proxy — a header holding the URL-encoded PEM chain.
// From a trusted proxy only the header counts (the socket's certificate, if any, is the proxy's own); from
// anyone else the header is ignored, since a client could write anything into it.
import { isTrustedProxy, type Logger, type RequestInfo } from '@gatehouse-auth/core';
import { PemError, pemBlocks } from './pem.js';
import { refusal } from './reasons.js';

export interface CertificateSource {
  /** Lower-case header name, or undefined to use the socket only. */
  header: string | undefined;
  trustedProxies: string[];
  /** Header values longer than this are refused (400) before any decoding. */
  maxHeaderChars: number;
  /** Certificates in the presented chain, leaf included. */
  maxCertificates: number;
}

export interface PresentedChain {
  source: 'socket' | 'header';
  certificates: Buffer[];
}

export function presentedChain(request: RequestInfo, source: CertificateSource, logger: Logger): PresentedChain {
  const headerValue = source.header === undefined ? undefined : request.headers[source.header];
  if (source.header !== undefined && isTrustedProxy(request.socketAddress, source.trustedProxies)) {
    return { source: 'header', certificates: fromHeader(headerValue, source) };
  }
  if (headerValue !== undefined) {
    logger.warn({ header: source.header, socketAddress: request.socketAddress }, 'client-certificate header from an untrusted address ignored');
  }
  const certificates = request.peerCertificates.map((der) => Buffer.from(der));
  if (certificates.length === 0) throw refusal('no_certificate');
  if (certificates.length > source.maxCertificates) throw refusal('chain_too_long');
  return { source: 'socket', certificates };
}

function fromHeader(value: string | string[] | undefined, source: CertificateSource): Buffer[] {
  if (value === undefined || value === '') throw refusal('no_certificate');
  if (typeof value !== 'string') throw refusal('malformed_certificate'); // repeated header: ambiguous
  if (value.length > source.maxHeaderChars) throw refusal('certificate_too_large');
  let pem: string;
  try {
    // nginx's $ssl_client_escaped_cert and ALB's X-Amzn-Mtls-Clientcert are percent-encoded ('+' stays '+').
    pem = decodeURIComponent(value);
  } catch {
    throw refusal('malformed_certificate');
  }
  let blocks: Buffer[];
  try {
    blocks = pemBlocks(pem, 'CERTIFICATE');
  } catch (err) {
    if (err instanceof PemError) throw refusal('malformed_certificate');
    throw err;
  }
  if (blocks.length === 0) throw refusal('malformed_certificate');
  if (blocks.length > source.maxCertificates) throw refusal('chain_too_long');
  return blocks;
}
