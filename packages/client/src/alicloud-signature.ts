/**
 * Alibaba Cloud's RPC signature, version 1.0 (HMAC-SHA1), as their SDKs compute it: the parameters sorted by name,
 * each name and value percent-encoded per RFC 3986 (`!'()*` too), `METHOD&%2F&<encoded query>` signed with
 * `<secret>&`, base64.
 *
 * Written here rather than imported: Alibaba's own implementation (`@alicloud/openapi-util`) brings a 15 MB
 * dependency tree (moment, moment-timezone, xml2js, lodash, two HTTP clients) into every install of the client and
 * the CLI for these few lines. The tests hold this one to theirs, byte for byte, on generated inputs.
 */
import { createHmac } from 'node:crypto';

/** RFC 3986 percent-encoding as Alibaba's signers do it (encodeURIComponent leaves `!'()*` alone). */
export function alibabaPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The RPC signature of `params` (without `Signature`) for an HTTP `method`, keyed with the access key secret. */
export function alibabaRpcSignature(params: Record<string, string>, method: 'GET' | 'POST', accessKeySecret: string): string {
  // Sorted by UTF-16 code unit, as Array.prototype.sort and Alibaba's SDKs do.
  const query = Object.keys(params)
    .sort()
    .map((name) => `${alibabaPercentEncode(name)}=${alibabaPercentEncode(params[name]!)}`)
    .join('&');
  return createHmac('sha1', `${accessKeySecret}&`).update(`${method}&${alibabaPercentEncode('/')}&${alibabaPercentEncode(query)}`).digest('base64');
}
