/**
 * The URLs a request may have been addressed to: what a DPoP proof's `htu` must equal (RFC 9449 §4.3).
 *
 * The rule, behind a proxy or not:
 * 1. When `publicUrls` are configured (the base URLs clients use, with any path prefix a proxy strips),
 *    the candidates are each base URL followed by the path as this server received it. Host, X-Forwarded-Host
 *    and X-Forwarded-Proto are then ignored: a client cannot steer what its proof is compared with.
 * 2. Otherwise the URL is rebuilt from the request: the scheme is the connection's, or X-Forwarded-Proto from
 *    a trusted proxy (`trustProxy`); the authority is X-Forwarded-Host from a trusted proxy, else Host. A Host
 *    header is the sender's to write, so without rule 1 a proof made for another server that shares this
 *    one's replay store is still refused (its `jti`), but one made for a server that does not is only held off
 *    by the `ath` and the token's binding. Configure `publicUrls` in production.
 */
import type { HeaderValue } from '../contract/http.js';
import { isTrustedProxy, resolveProtocol, type TrustProxy } from '../pipeline/client-address.js';

export interface UrlFacts {
  path: string;
  headers: Record<string, HeaderValue>;
  socketAddress: string;
  protocol: 'http' | 'https';
}

/** A DNS name or IP literal with an optional port: nothing that could smuggle a path or credentials in. */
const AUTHORITY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function single(value: HeaderValue): string | undefined {
  if (typeof value !== 'string') return undefined;
  // The nearest proxy's value is the last one it appended.
  const last = value.slice(-512).split(',').pop()?.trim();
  return last || undefined;
}

/** Normalised base URLs (no trailing slash); throws naming the bad one. */
export function parsePublicUrls(urls: readonly string[] | undefined): string[] {
  return (urls ?? []).map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`publicUrls: ${JSON.stringify(raw)} is not a URL`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
      throw new Error(`publicUrls: ${JSON.stringify(raw)} must be an http(s) URL without credentials, query or fragment`);
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  });
}

export function requestUrls(facts: UrlFacts, options: { publicUrls: readonly string[]; trustProxy: TrustProxy }): string[] {
  if (options.publicUrls.length > 0) return options.publicUrls.map((base) => `${base}${facts.path}`);
  const trusted = isTrustedProxy(facts.socketAddress, options.trustProxy);
  const scheme = resolveProtocol(facts.protocol, facts.socketAddress, facts.headers['x-forwarded-proto'], options.trustProxy);
  const authority = (trusted ? single(facts.headers['x-forwarded-host']) : undefined) ?? (typeof facts.headers.host === 'string' ? facts.headers.host : undefined);
  if (!authority || !AUTHORITY.test(authority)) return [];
  return [`${scheme}://${authority}${facts.path}`];
}
