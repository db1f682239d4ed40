/**
 * Alibaba Cloud RPC signature v1, written from Alibaba's specification rather than taken from an SDK, so
 * that tests which sign with the official SDK and verify here check two independent implementations.
 *
 *   stringToSign = METHOD & percentEncode('/') & percentEncode(canonicalizedQuery)
 *   signature    = base64(HMAC-SHA1(key = secret + '&', stringToSign))
 *
 * canonicalizedQuery is every parameter except `Signature`, sorted by name (code-unit order), each name
 * and value percent-encoded, joined as `name=value` with `&`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 unreserved characters stay; everything else is UTF-8 percent-encoded, upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalizedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

export function rpcSignature(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** Constant-time comparison of the presented signature with the expected one. */
export function signatureMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Compare against itself when lengths differ so the time does not depend on where they differ.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}
