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
 * Parsed with jshttp's content-type, as Express's own parser does, so both agree on what is JSON.
 */
export function isJsonMediaType(header: string): boolean {
  // Clients send the same few headers over and over: the verdict is kept per header text (bounded).
  const known = mediaTypeVerdicts.get(header);
  if (known !== undefined) return known;
  const verdict = judgeMediaType(header);
  if (header.length <= 256) {
    if (mediaTypeVerdicts.size >= 256) mediaTypeVerdicts.clear();
    mediaTypeVerdicts.set(header, verdict);
  }
  return verdict;
}

const mediaTypeVerdicts = new Map<string, boolean>();

function judgeMediaType(header: string): boolean {
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
  return new Promise<BodyResult>((resolve) => readJsonBodyThen(stream, options, resolve));
}

/**
 * `readJsonBody` for callback APIs (Fastify's content-type parsers): `callback` is called exactly once, maybe
 * synchronously (a verdict from the headers alone). No promise per request.
 */
export function readJsonBodyThen(stream: BodyStream, options: ReadBodyOptions, callback: (result: BodyResult) => void): void {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  const verdict = classifyBody(options.headers ?? stream.headers ?? {}, limit);
  if (verdict !== 'read') return callback(verdict);
  // Someone else consumed the stream (a body parser the app ran first) without leaving a body.
  if (stream.readableEnded) return callback({ body: undefined });
  if (stream.destroyed) return callback({ bodyError: 'aborted' });

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
    callback(result);
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
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const REFUSE_POISONING = { protoAction: 'error', constructorAction: 'error' } as const;

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
  const at = text.search(/\S/);
  const first = at === -1 ? undefined : text[at];
  if (first !== '{' && first !== '[') return { bodyError: 'malformed_json' };
  try {
    return { body: secureJson.parse(text, null, REFUSE_POISONING) as unknown };
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
  // The same header verdicts as for a body read here (encoding, declared size), and the same refusal of
  // prototype-poisoning keys, which a plain JSON.parse let through.
  const verdict = classifyBody(headers, options.limit ?? DEFAULT_BODY_LIMIT);
  if (verdict !== 'read' && verdict.bodyError) return Promise.resolve(verdict);
  if (parsed !== null && typeof parsed === 'object') {
    try {
      secureJson.scan(parsed as Record<string, unknown>, REFUSE_POISONING);
    } catch {
      return Promise.resolve({ bodyError: 'malformed_json' });
    }
  }
  return Promise.resolve({ body: parsed });
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

function ignore() {}

/** jshttp's body-error vocabulary (body-parser, raw-body, co-body: Express's and Koa's parsers). */
const PARSER_ERROR_TYPES: Record<string, BodyError> = {
  'entity.too.large': 'too_large',
  'entity.parse.failed': 'malformed_json',
  'entity.verify.failed': 'malformed_json',
  'request.size.invalid': 'malformed_json',
  'request.aborted': 'aborted',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
};

/**
 * The body error behind an exception an app's body parser raised on a Gatehouse path, or undefined when
 * it is something else. What Gatehouse itself would refuse the request for (encoding, media type, declared
 * size) comes first, so the answer is the one Gatehouse gives when it reads the body.
 */
export function parserBodyError(err: unknown, headers: IncomingHttpHeaders, limit = DEFAULT_BODY_LIMIT): BodyError | undefined {
  const verdict = classifyBody(headers, limit);
  if (verdict !== 'read' && verdict.bodyError) return verdict.bodyError;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; status?: unknown; statusCode?: unknown; name?: unknown };
  if (typeof e.type === 'string' && PARSER_ERROR_TYPES[e.type]) return PARSER_ERROR_TYPES[e.type];
  if (e.name === 'SyntaxError') return 'malformed_json'; // co-body rethrows JSON.parse's (and bourne's) error
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_media_type';
  return undefined;
}

/**
 * After an app's parser gave up on a body (too large, say) it may leave the rest unread and paused, and Node
 * then never reads the connection's next request. Discarding the rest keeps keep-alive connections usable.
 */
export function drainRequest(stream: Readable): void {
  if (!stream.readableEnded && !stream.destroyed) stream.resume();
}
