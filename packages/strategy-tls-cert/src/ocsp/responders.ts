// Which responders to ask, and the outbound rule for them. A certificate's OCSP URL (authorityInfoAccess) is
// written by the CA that signed it — OCSP runs only after the path to a configured CA verified, so a client
// cannot choose it by presenting a certificate of its own making. Still, a CA below the configured one (a
// team's name-constrained sub-CA, say) could point it anywhere; so from a certificate only http(s) URLs without
// credentials are taken, never to loopback, link-local, unspecified or multicast addresses or `localhost`
// (metadata endpoints, local admin ports), at most four of them. A servers override replaces the certificate's
// URLs entirely. `allowedResponderOrigins`, when set, is the only place any request may go.
import ipaddr from 'ipaddr.js';

export const MAX_RESPONDERS = 4;
const MAX_URL_LENGTH = 2048;
const BLOCKED_RANGES = new Set(['loopback', 'linkLocal', 'unspecified', 'multicast', 'broadcast']);

export interface ResponderPolicy {
  /** Origins (`http://ocsp.corp.example`) every OCSP request must go to, when set. */
  allowedOrigins: ReadonlySet<string> | undefined;
}

export interface ResponderChoice {
  urls: string[];
  /** URLs not used, with the reason (logged). */
  skipped: { url: string; why: string }[];
  source: 'override' | 'certificate';
}

/** A URL's problem as an OCSP endpoint, or undefined. */
export function urlProblem(text: string): string | undefined {
  if (text.length > MAX_URL_LENGTH) return 'longer than 2048 characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not http or https';
  if (url.username !== '' || url.password !== '') return 'carries credentials';
  return undefined;
}

function internalHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(host)) return false;
  let address = ipaddr.parse(host);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return BLOCKED_RANGES.has(address.range());
}

export function chooseResponders(certificateUrls: readonly string[], override: readonly string[], policy: ResponderPolicy): ResponderChoice {
  const skipped: ResponderChoice['skipped'] = [];
  const fenced = (url: string) => policy.allowedOrigins !== undefined && !policy.allowedOrigins.has(new URL(url).origin);
  if (override.length > 0) {
    const urls: string[] = [];
    for (const url of override) {
      if (fenced(url)) skipped.push({ url, why: 'origin not in allowedResponderOrigins' });
      else urls.push(url);
    }
    return { urls, skipped, source: 'override' };
  }
  const urls: string[] = [];
  for (const url of certificateUrls) {
    const problem = urlProblem(url);
    if (problem) skipped.push({ url: url.slice(0, 256), why: problem });
    else if (fenced(url)) skipped.push({ url, why: 'origin not in allowedResponderOrigins' });
    else if (policy.allowedOrigins === undefined && internalHost(new URL(url))) skipped.push({ url, why: 'internal address (list it in allowedResponderOrigins to allow it)' });
    else if (urls.length < MAX_RESPONDERS) urls.push(url);
  }
  return { urls, skipped, source: 'certificate' };
}
