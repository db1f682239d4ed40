import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/** Chains are per connection: a keep-alive client pays for `getPeerCertificate(true)` once. */
const chains = new WeakMap<object, Uint8Array[]>();
const NONE: Uint8Array[] = [];
/** Far longer than any real chain; bounds the walk on a hostile one. */
const MAX_CHAIN = 16;

export function isTlsSocket(socket: Socket | TLSSocket | null | undefined): socket is TLSSocket {
  return Boolean(socket && (socket as TLSSocket).encrypted === true && typeof (socket as TLSSocket).getPeerCertificate === 'function');
}

/**
 * The DER certificates the TLS peer presented, leaf first, or `[]`. Walks `issuerCertificate` until it
 * repeats (a self-signed root points to itself) or ends. Verification is the strategy's job, not the
 * listener's, so the server asks with `requestCert: true, rejectUnauthorized: false`.
 */
export function peerCertificateChain(socket: Socket | TLSSocket | null | undefined): Uint8Array[] {
  if (!isTlsSocket(socket)) return NONE;
  const cached = chains.get(socket);
  if (cached) return cached;
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && chain.length < MAX_CHAIN) {
    const id = cert.fingerprint256 || cert.raw.toString('base64');
    if (seen.has(id)) break;
    seen.add(id);
    chain.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate;
  }
  chains.set(socket, chain);
  return chain;
}
