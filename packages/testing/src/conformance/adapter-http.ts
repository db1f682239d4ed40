/** The suite's HTTP client: undici over real loopback sockets, one keep-alive pool per suite. */
import { Agent, fetch, type RequestInit } from 'undici';

export interface Exchange {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: unknown;
  setCookies: string[];
  requestId: string | null;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON with `content-type: application/json` unless headers say otherwise. */
  body?: unknown;
  signal?: AbortSignal;
  dispatcher?: Agent;
}

export function createClient(): { send(url: string, options?: SendOptions): Promise<Exchange>; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  return {
    async send(url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: RequestInit['body'];
      if (options.body instanceof Uint8Array || typeof options.body === 'string') body = options.body;
      else if (options.body instanceof ReadableStream) body = options.body;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url, {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        redirect: 'manual',
        signal: options.signal,
        dispatcher: options.dispatcher ?? agent,
        ...(body instanceof ReadableStream ? { duplex: 'half' as const } : {}),
      });
      const text = await res.text();
      let json: unknown;
      if (res.headers.get('content-type')?.startsWith('application/json')) json = JSON.parse(text) as unknown;
      return { status: res.status, headers: res.headers as unknown as Headers, text, json, setCookies: res.headers.getSetCookie(), requestId: res.headers.get('x-request-id') };
    },
    close: () => agent.close(),
  };
}

/** A JSON body of exactly `bytes` bytes: `{"pad":"xxx…"}` plus the given fields. */
export function paddedBody(bytes: number, fields: Record<string, unknown> = {}): string {
  const base = JSON.stringify({ ...fields, pad: '' });
  if (bytes < base.length) throw new Error(`cannot build a ${bytes}-byte body`);
  return JSON.stringify({ ...fields, pad: 'x'.repeat(bytes - base.length) });
}

/** A chunked (no Content-Length) body of `bytes` bytes, sent in 8 KiB pieces. */
export function chunkedBody(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 8192));
      offset += 8192;
    },
  });
}
