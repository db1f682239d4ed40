import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import type * as Undici from 'undici';
import { AuthError } from '../errors/auth-error.js';

/** Loaded on the first outbound call: most logins make none, and it took ~130 ms of every start. */
let undici: typeof Undici | undefined;
let loadingUndici: Promise<typeof Undici> | undefined;
const loadUndici = async () => (undici ??= await (loadingUndici ??= import('undici')));

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Overrides the client's default timeout (ms) for the whole exchange. */
  timeoutMs?: number;
  /** Overrides the client's default response-size cap (bytes). */
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text(): string;
  /** Parses JSON; throws AuthError(upstream_failed, `upstream_garbage`) on invalid JSON. */
  json(): unknown;
}

/** Failures are AuthErrors of kind `upstream_failed`, reasonCode `upstream_timeout|upstream_too_large|upstream_network|upstream_host_not_allowed`. */
export interface OutboundHttp {
  request(url: string | URL, init?: OutboundRequest): Promise<OutboundResponse>;
  close(): Promise<void>;
}

export interface OutboundHttpOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /**
   * Optional allow-list of origins (`https://sts.aliyuncs.com`). Strategies pick hosts from their own
   * configuration; this is a second, server-wide fence.
   */
  allowedOrigins?: string[];
  /** Keep-alive connections per origin. */
  connections: number;
  /** Custom dispatcher (tests with custom CAs, proxies). */
  dispatcher?: Dispatcher;
}

export const DEFAULT_OUTBOUND: OutboundHttpOptions = { timeoutMs: 5_000, maxResponseBytes: 256 * 1024, connections: 64 };

/** A pooled keep-alive client that never follows redirects, always times out and caps response size. */
export function createOutboundHttp(options: Partial<OutboundHttpOptions> = {}): OutboundHttp {
  const opts = { ...DEFAULT_OUTBOUND, ...options };
  let agent = opts.dispatcher;
  const allowed = opts.allowedOrigins ? new Set(opts.allowedOrigins.map((o) => new URL(o).origin)) : null;

  return {
    async request(url, init = {}) {
      const target = typeof url === 'string' ? new URL(url) : url;
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_host_not_allowed' });
      }
      if (allowed && !allowed.has(target.origin)) {
        throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_host_not_allowed' });
      }
      const timeoutMs = init.timeoutMs ?? opts.timeoutMs;
      const cap = init.maxResponseBytes ?? opts.maxResponseBytes;
      // One abort for the whole exchange: by the timer or by the caller's signal (the client went away). A plain
      // timer and a listener, not AbortSignal.timeout + AbortSignal.any: those cost a weakly tracked signal
      // each per call, and this runs on every upstream login.
      const exchange = new Exchange(timeoutMs, init.signal);
      try {
        let res: Dispatcher.ResponseData;
        try {
          const { request, Agent } = undici ?? (await loadUndici());
          // After the await: of two first calls, one makes the pool and the other uses it.
          agent ??= new Agent({ connections: opts.connections, keepAliveTimeout: 10_000, connect: { timeout: opts.timeoutMs } });
          res = await request(target, {
            method: init.method ?? 'GET',
            headers: init.headers,
            body: init.body,
            dispatcher: agent,
            signal: exchange,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          });
        } catch (cause) {
          throw new AuthError({ kind: 'upstream_failed', reasonCode: exchange.timedOut ? 'upstream_timeout' : 'upstream_network', cause });
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > cap) {
          // Destroying an unread undici body emits an AbortError; without a listener it would crash the process.
          res.body.on('error', () => {});
          res.body.destroy();
          throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_too_large' });
        }
        let body: Buffer;
        try {
          body = await readCapped(res.body, cap);
        } catch (cause) {
          if (cause instanceof AuthError) throw cause;
          throw new AuthError({ kind: 'upstream_failed', reasonCode: exchange.timedOut ? 'upstream_timeout' : 'upstream_network', cause });
        }
        return new BufferedResponse(res.statusCode, res.headers, body);
      } finally {
        exchange.done();
      }
    },
    async close() {
      if (!opts.dispatcher && agent) await agent.close();
    },
  };
}

/**
 * The whole-exchange deadline and the caller's abort, as the one signal undici watches. An EventEmitter, which
 * undici documents as a signal (`AbortSignal | EventEmitter`), rather than an AbortController: an EventTarget-based
 * signal plus its listeners was the largest single cost in profiles of an upstream login's allocations.
 */
class Exchange extends EventEmitter {
  aborted = false;
  timedOut = false;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort = () => this.#abort();

  constructor(timeoutMs: number, parent: AbortSignal | undefined) {
    super();
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#abort();
    }, timeoutMs);
    this.#timer.unref();
    this.#parent = parent;
    if (parent?.aborted) this.aborted = true;
    else parent?.addEventListener('abort', this.#onParentAbort, { once: true });
  }

  #abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }

  done(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
  }
}

/** Reads a response body up to `cap` bytes (refused past it), with stream events rather than an async iterator. */
function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        reject(new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_too_large' }));
        body.destroy();
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => resolve(Buffer.concat(chunks, size)));
    body.on('error', reject);
  });
}

/** An answer read in full. Methods on the prototype: nothing per response but the fields. */
class BufferedResponse implements OutboundResponse {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly body: Buffer,
  ) {}

  text(): string {
    return this.body.toString('utf8');
  }

  json(): unknown {
    try {
      return JSON.parse(this.body.toString('utf8'));
    } catch {
      throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
    }
  }
}
