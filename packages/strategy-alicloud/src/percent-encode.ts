const UNRESERVED = /^[A-Za-z0-9._~-]*$/;
const SUB_DELIMS = /[!'()*]/;

/** Alibaba's percent-encoding (RFC 3986 unreserved kept, UTF-8 bytes as upper-case %XX, space as %20). */
export function percentEncode(value: string): string {
  // Most of a login's values (names, key id, nonce, version) are unreserved already: returned as they are.
  if (UNRESERVED.test(value)) return value;
  const encoded = encodeURIComponent(value);
  return SUB_DELIMS.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

/** `name=value&...` in name order, every part percent-encoded: the query STS verifies the signature over. */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  const names = Object.keys(params).sort();
  let query = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    query += `${i === 0 ? '' : '&'}${percentEncode(name)}=${percentEncode(params[name]!)}`;
  }
  return query;
}
