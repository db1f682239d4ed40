import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyError, GatehouseRequest } from '../contract/http.js';
import type { GuardRequest } from '../guard/guard.js';
import type { BodyResult } from './body.js';
import { isTlsSocket, peerCertificateChain } from './tls.js';

/** The path without the query string, exactly as sent: no decoding, so one request has one path. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The query string as a plain record (repeated keys become arrays); null prototype, so no `__proto__` games. */
export function queryOf(url: string | undefined): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const q = url?.indexOf('?') ?? -1;
  if (q === -1) return query;
  for (const [key, value] of new URLSearchParams(url!.slice(q + 1))) {
    const prev = query[key];
    query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}

/** Aborts when the connection closes before the response was sent (the client went away). */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  // Made after the connection already ended: aborted at once if the response was never finished.
  if (res.closed || res.destroyed) return res.writableFinished ? new AbortController().signal : AbortSignal.abort();
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export interface ToGatehouseRequestOptions {
  /** Overrides the path taken from `req.url` (e.g. Express's `originalUrl` when mounted under a prefix). */
  url?: string;
  signal?: AbortSignal;
  /**
   * The response whose early close aborts `signal` (`disconnectSignal`), made when a strategy first reads it:
   * most logins never do, and an AbortController plus a close listener per request showed in profiles.
   */
  response?: ServerResponse;
}

/** A request from Node's `IncomingMessage`; its `signal` is made on first read (see `response` above). */
class NodeGatehouseRequest implements GatehouseRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingMessage['headers'];
  body?: unknown;
  bodyError?: BodyError;
  socketAddress: string;
  protocol: 'http' | 'https';
  peerCertificates: Uint8Array[];
  #signal: AbortSignal | undefined;
  readonly #response: ServerResponse | undefined;

  constructor(req: IncomingMessage, body: BodyResult, options: ToGatehouseRequestOptions) {
    const url = options.url ?? req.url;
    const socket = req.socket;
    const tls = isTlsSocket(socket);
    this.method = req.method ?? 'GET';
    this.path = pathOf(url);
    this.query = queryOf(url);
    this.headers = req.headers;
    if (body.bodyError) this.bodyError = body.bodyError;
    else this.body = body.body;
    this.socketAddress = socket?.remoteAddress ?? '';
    this.protocol = tls ? 'https' : 'http';
    this.peerCertificates = tls ? peerCertificateChain(socket) : [];
    this.#signal = options.signal;
    this.#response = options.signal ? undefined : options.response;
  }

  get signal(): AbortSignal | undefined {
    if (!this.#signal && this.#response) this.#signal = disconnectSignal(this.#response);
    return this.#signal;
  }
}

/**
 * The framework-neutral request. `socketAddress` is the raw TCP peer, never a framework's `req.ip`:
 * the core applies `trustProxy` itself, so every adapter resolves the same client address.
 */
export function toGatehouseRequest(req: IncomingMessage, body: BodyResult, options: ToGatehouseRequestOptions = {}): GatehouseRequest {
  return new NodeGatehouseRequest(req, body, options);
}

/**
 * What a resource-server guard needs besides the headers, for bound tokens: the method and the path as received
 * (DPoP `htm`/`htu`), whether the connection is TLS, and the TLS peer's certificates (RFC 8705).
 */
export function guardRequestOf(req: IncomingMessage, url: string | undefined = req.url): GuardRequest {
  const socket = req.socket;
  const tls = isTlsSocket(socket);
  return { method: req.method ?? 'GET', url: pathOf(url), protocol: tls ? 'https' : 'http', peerCertificates: tls ? peerCertificateChain(socket) : [] };
}
