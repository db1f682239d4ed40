/** Alibaba's percent-encoding (RFC 3986 unreserved kept, UTF-8 bytes as upper-case %XX, space as %20). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `name=value&...` in name order, every part percent-encoded: the query STS verifies the signature over. */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}
