/**
 * Reading a JSON request body from a Node stream, with the checks every adapter needs: media type,
 * a byte limit enforced while streaming, aborted uploads, invalid UTF-8, and prototype-poisoning keys.
 * Failures become a `BodyError` the core renders in the route's dialect; nothing here throws.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { parse as parseContentType } from 'content-type';
import secureJson from 'secure-json-parse';
import type { BodyError } from '../contract/http.js';

/** 64 KiB: far above any login body, small enough that a flood of them cannot exhaust memory. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export type BodyResult = { body: unknown; bodyError?: undefined } | { body?: undefined; bodyError: BodyError };

export interface ReadBodyOptions {
  /** Byte limit of the (identity-encoded) body. Default `DEFAULT_BODY_LIMIT`. */
  limit?: number;
  /** Headers to judge the body by, when the stream is not the `IncomingMessage` itself (Fastify's payload). */
  headers?: IncomingHttpHeaders;
}

type BodyStream = Readable & { headers?: IncomingHttpHeaders };

/** What the headers say about the body, before reading a byte of it. */
export function classifyBody(headers: IncomingHttpHeaders, limit = DEFAULT_BODY_LIMIT): BodyResult | 'read' {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return { bodyError: 'unsupported_media_type' };
  const length = contentLength(headers);
  const hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && length > 0);
  const type = headers['content-type'];
  if (type === undefined || type === '') return hasBody ? { bodyError: 'unsupported_media_type' } : { body: undefined };
  if (!isJsonMediaType(type)) return { bodyError: 'unsupported_media_type' };
  if (length !== undefined && length > limit) return { bodyError: 'too_large' };
  return hasBody ? 'read' : { body: undefined };
}

/**
 * `application/json`, parameters allowed; a `charset` other than UTF-8 is refused (RFC 8259 §8.1).
 * Malformed headers are refused too, as body-parser does, rather than guessed at.
 */
export function isJsonMediaType(header: string): boolean {
  try {
    const { type, parameters } = parseContentType(header);
    if (type !== 'application/json') return false;
    const charset = parameters.charset?.toLowerCase();
    return charset === undefined || charset === 'utf-8' || charset === 'utf8';
  } catch {
    return false;
  }
}

/** Reads and parses the body; `{ body: undefined }` for an empty one (the core treats it as `{}`). */
export function readJsonBody(stream: BodyStream, options: ReadBodyOptions = {}): Promise<BodyResult> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  const verdict = classifyBody(options.headers ?? stream.headers ?? {}, limit);
  if (verdict !== 'read') return Promise.resolve(verdict);
  // Someone else consumed the stream (a body parser the app ran first) without leaving a body.
  if (stream.readableEnded) return Promise.resolve({ body: undefined });
  if (stream.destroyed) return Promise.resolve({ bodyError: 'aborted' });

  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      // Keep a listener so a late 'error' is not unhandled; the rest of an oversized body keeps
      // flowing and is discarded, so the client can finish sending and read the answer.
      stream.off('error', onError);
      stream.on('error', ignore);
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > limit) return settle({ bodyError: 'too_large' });
      chunks.push(buf);
    };
    const onEnd = () => settle(parseJsonBytes(Buffer.concat(chunks, size)));
    const onError = () => settle({ bodyError: 'aborted' });
    const onClose = () => settle({ bodyError: 'aborted' }); // 'close' before 'end': the client went away
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict like body-parser's default: the top level must be an object or an array (arrays then fail
 * the route's schema with its own clear message); `null`, numbers and strings are malformed here.
 * `__proto__` and `constructor.prototype` keys are refused (secure-json-parse, as Fastify does).
 */
export function parseJsonBytes(bytes: Uint8Array): BodyResult {
  if (bytes.length === 0) return { body: undefined };
  let text: string;
  try {
    text = utf8.decode(bytes); // also drops a leading BOM
  } catch {
    return { bodyError: 'malformed_json' };
  }
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return { bodyError: 'malformed_json' };
  try {
    return { body: secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) as unknown };
  } catch {
    return { bodyError: 'malformed_json' };
  }
}

/**
 * A body the app's own parser (express.json(), @koa/bodyparser) already produced. It is used only when
 * the request really was JSON: a form or text body parsed by another parser is refused as 415, so a
 * cross-site HTML form can never post a login. Bodies the app's parser did not touch are read here.
 */
export function adoptOrReadBody(stream: BodyStream, parsed: unknown, options: ReadBodyOptions = {}): Promise<BodyResult> {
  const headers = options.headers ?? stream.headers ?? {};
  const type = headers['content-type'];
  if (parsed === undefined || type === undefined || !isJsonMediaType(type)) return readJsonBody(stream, options);
  const length = contentLength(headers);
  if (length !== undefined && length > (options.limit ?? DEFAULT_BODY_LIMIT)) return Promise.resolve({ bodyError: 'too_large' });
  return Promise.resolve({ body: parsed });
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

function ignore() {}
