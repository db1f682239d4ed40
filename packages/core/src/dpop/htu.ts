/**
 * RFC 9449 §4.3 (check 9): a proof's `htu` is compared with the request's URI without its query and fragment,
 * after the syntax- and scheme-based normalisation of RFC 3986 §6.2.2–6.2.3. WHATWG URL parsing does the case
 * normalisation of scheme and host, removes dot segments and default ports; this adds the percent-encoding
 * normalisation (hex digits upper case, unreserved characters decoded).
 */
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const MAX_URL_CHARS = 4096;

function normalisePercentEncoding(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** `https://host[:port]/path`, normalised; null for anything that is not an absolute http(s) URL without credentials. */
export function normalizeHtu(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_CHARS) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return `${url.protocol}//${url.host}${normalisePercentEncoding(url.pathname)}`;
}
