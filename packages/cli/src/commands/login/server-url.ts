import { usageError } from '../../errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** An http(s) base URL with no credentials, query or fragment. */
export function parseServerUrl(value: string, flag = '--server'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${flag}: not a URL: ${JSON.stringify(value.slice(0, 100))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${flag}: must be an http:// or https:// URL`);
  if (url.username || url.password || url.search || url.hash) throw usageError(`${flag}: must not carry credentials, a query or a fragment`);
  return url;
}
