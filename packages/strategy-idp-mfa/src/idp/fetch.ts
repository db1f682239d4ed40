/**
 * openid-client's `customFetch`, routed through Gatehouse's outbound client (`ctx.http`: pooled undici, a
 * timeout, no redirects, a response-size cap, the server-wide origin fence) and fenced again here: only the
 * endpoints this IdP's configuration (or its discovery document) names are ever contacted.
 */
import { AuthError, type OutboundHttp, type OutboundResponse } from '@gatehouse-auth/core';
import type { CustomFetch } from 'openid-client';

export interface IdpFetchOptions {
  http: OutboundHttp;
  /** True for the URLs this IdP may be called at. */
  allowed: (url: URL) => boolean;
  timeoutMs: number;
  /** The incoming request's abort signal: stop talking to the IdP when our client goes away. */
  signal?: AbortSignal;
  /** Rewrites a response body before openid-client reads it (used to drop OAuth2 ID tokens). */
  rewrite?: (url: URL, response: OutboundResponse) => Buffer;
}

/** `origin + pathname`: what the fence compares (queries and fragments never select an endpoint). */
export function endpointKey(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.origin}${u.pathname}`;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function idpFetch(options: IdpFetchOptions): CustomFetch {
  return async (url, init) => {
    const target = new URL(url);
    if (!options.allowed(target)) {
      throw new AuthError({ kind: 'upstream_failed', reasonCode: 'idp_endpoint_not_allowed' });
    }
    if (init.method !== 'GET' && init.method !== 'POST') {
      throw new AuthError({ kind: 'upstream_failed', reasonCode: 'idp_method_not_supported' });
    }
    const signals = [init.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const response = await options.http.request(target, {
      method: init.method,
      headers: init.headers,
      body: requestBody(init.body),
      timeoutMs: options.timeoutMs,
      signal: signals.length ? AbortSignal.any(signals) : undefined,
    });
    if (response.status < 200 || response.status > 599) {
      throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const body = options.rewrite ? options.rewrite(target, response) : response.body;
    if (options.rewrite) headers.delete('content-length');
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : new Uint8Array(body), { status: response.status, headers });
  };
}

function requestBody(body: Parameters<CustomFetch>[1]['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // Streams are never produced by the grants used here.
  throw new AuthError({ kind: 'internal', reasonCode: 'idp_stream_body_unsupported' });
}
