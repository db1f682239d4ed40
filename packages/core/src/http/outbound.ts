import { Agent, request, type Dispatcher } from 'undici';
import { AuthError } from '../errors/auth-error.js';

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
  const agent = opts.dispatcher ?? new Agent({ connections: opts.connections, keepAliveTimeout: 10_000, connect: { timeout: opts.timeoutMs } });
  const allowed = opts.allowedOrigins ? new Set(opts.allowedOrigins.map((o) => new URL(o).origin)) : null;

  return {
    async request(url, init = {}) {
      const target = new URL(url);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_host_not_allowed' });
      }
      if (allowed && !allowed.has(target.origin)) {
        throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_host_not_allowed' });
      }
      const timeoutMs = init.timeoutMs ?? opts.timeoutMs;
      const cap = init.maxResponseBytes ?? opts.maxResponseBytes;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal ? AbortSignal.any([timeout, init.signal]) : timeout;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, {
          method: init.method ?? 'GET',
          headers: init.headers,
          body: init.body,
          dispatcher: agent,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (cause) {
        throw new AuthError({ kind: 'upstream_failed', reasonCode: timeout.aborted ? 'upstream_timeout' : 'upstream_network', cause });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > cap) {
        // Destroying an unread undici body emits an AbortError; without a listener it would crash the process.
        res.body.on('error', () => {});
        res.body.destroy();
        throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_too_large' });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > cap) {
            res.body.destroy();
            throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_too_large' });
          }
          chunks.push(chunk as Buffer);
        }
      } catch (cause) {
        if (cause instanceof AuthError) throw cause;
        throw new AuthError({ kind: 'upstream_failed', reasonCode: timeout.aborted ? 'upstream_timeout' : 'upstream_network', cause });
      }
      const body = Buffer.concat(chunks);
      return {
        status: res.statusCode,
        headers: res.headers,
        body,
        text: () => body.toString('utf8'),
        json: () => {
          try {
            return JSON.parse(body.toString('utf8'));
          } catch {
            throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
          }
        },
      };
    },
    async close() {
      if (!opts.dispatcher) await agent.close();
    },
  };
}
