/** Framework-neutral request and response: what an adapter translates to and from. */

export type HeaderValue = string | string[] | undefined;

/** Why an adapter could not hand over a parsed body; the pipeline renders it in the route's dialect. */
export type BodyError = 'too_large' | 'malformed_json' | 'unsupported_media_type' | 'aborted';

export interface GatehouseRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/auth/alicloud-auth/login`. */
  path: string;
  query?: Record<string, string | string[] | undefined>;
  /** Header names in lower case. */
  headers: Record<string, HeaderValue>;
  /** Parsed JSON body (or undefined when there was none). */
  body?: unknown;
  /** Set instead of `body` when the adapter refused to parse it. */
  bodyError?: BodyError;
  /** Address of the TCP peer (the proxy, when there is one). The core applies `trustProxy` to it. */
  socketAddress: string;
  /** `https` when the connection to this server is TLS. */
  protocol: 'http' | 'https';
  /** DER certificates the TLS peer presented, leaf first; empty or absent when none. */
  peerCertificates?: Uint8Array[];
  /** Aborted when the client goes away, so strategies can stop upstream calls early. */
  signal?: AbortSignal;
}

export interface Cookie {
  name: string;
  value: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'strict' | 'lax' | 'none';
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
}

export interface GatehouseResponse {
  status: number;
  /** Header names in lower case; `set-cookie` is carried in `cookies`, not here. */
  headers: Record<string, string>;
  cookies: Cookie[];
  /** JSON-serialisable body, or undefined for an empty body (e.g. a redirect). */
  body?: unknown;
}
