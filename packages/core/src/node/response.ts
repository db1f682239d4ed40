import { validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { serialize } from 'cookie';
import type { Cookie, GatehouseRequest, GatehouseResponse } from '../contract/http.js';
import { dialects } from '../dialects/index.js';
import { AuthError, type ErrorKind } from '../errors/auth-error.js';
import { assignOwn } from '../runtime/assign.js';
import { stringifyBody } from './json.js';
import { newRequestId } from '../pipeline/pipeline.js';
import { TOKENS, type Gatehouse } from '../runtime/container.js';
import type { PipelineOptions } from '../pipeline/pipeline.js';

/** A response ready for any Node framework: serialised body, `set-cookie` as one header per cookie. */
export interface NodeResponse {
  status: number;
  headers: OutgoingHttpHeaders & { 'content-length': string; 'set-cookie'?: string[] };
  /** JSON text, or undefined for an empty body. */
  body: string | undefined;
}

export function serializeCookie(cookie: Cookie): string {
  return serialize(cookie.name, cookie.value, {
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    domain: cookie.domain,
    maxAge: cookie.maxAge,
    expires: cookie.expires,
  });
}

/** Serialises once, as `JSON.stringify` would (`stringifyBody`), so every adapter sends the same bytes. Throws on a bad cookie. */
export function toNodeResponse(response: GatehouseResponse): NodeResponse {
  const body = response.body === undefined ? undefined : stringifyBody(response.body);
  // By assignment, not `{ ...headers, 'content-length': … }` (see assignOwn).
  const headers = assignOwn({}, response.headers) as NodeResponse['headers'];
  headers['content-length'] = String(body === undefined ? 0 : Buffer.byteLength(body));
  if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  else delete headers['content-type'];
  if (response.cookies.length) headers['set-cookie'] = response.cookies.map(serializeCookie);
  // Checked here, where `respond` can still turn a bad header into the dialect's 500, rather than in
  // the framework's writer, which would throw after the adapter handed over.
  for (const name of Object.keys(headers)) {
    validateHeaderName(name);
    validateHeaderValue(name, headers[name] as string); // also checks each entry of an array, and refuses undefined
  }
  if (!Number.isInteger(response.status) || response.status < 200 || response.status > 599) throw new RangeError('invalid status');
  return { status: response.status, headers, body };
}

/**
 * `gatehouse.handle` plus serialisation, never throwing: a response that cannot be serialised (a strategy
 * returned an invalid cookie name, say) becomes the dialect's internal error.
 */
export async function respond(gatehouse: Gatehouse, request: GatehouseRequest): Promise<NodeResponse> {
  try {
    return toNodeResponse(await gatehouse.handle(request));
  } catch (err) {
    return failureResponse(gatehouse, request.path, err);
  }
}

/** Kinds for foreign errors carrying an HTTP status (http-errors, Fastify errors); their messages are not used. */
const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation',
  429: 'rate_limited',
  501: 'not_configured',
  502: 'upstream_failed',
  503: 'unavailable',
};

/**
 * The dialect's rendering of an error raised around the pipeline (by the framework or another middleware)
 * on a Gatehouse path, so Gatehouse paths never answer with a framework's page. An error with an HTTP
 * status keeps its class with the dialect's default message (foreign messages may echo input); anything
 * else is `internal`, logged with the request id and never shown.
 */
export function failureResponse(gatehouse: Gatehouse, path: string, err: unknown): NodeResponse {
  const requestId = newRequestId();
  const error = err instanceof AuthError ? err : foreignError(err);
  if (error.kind === 'internal') {
    gatehouse.logger.error({ reqId: requestId, reasonCode: error.reasonCode, err: err instanceof Error ? { type: err.name } : { type: typeof err } }, 'request failed');
  }
  const route = gatehouse.routes().find((r) => r.path === path);
  const dialect = dialects[route?.dialect ?? defaultDialect(gatehouse)];
  const rendered = dialect.renderError(error, requestId);
  return toNodeResponse({
    status: rendered.status,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...rendered.headers, 'x-request-id': requestId },
    cookies: [],
    body: rendered.body,
  });
}

function foreignError(err: unknown): AuthError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  const kind = KIND_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'bad_request' : 'internal');
  return new AuthError({ kind, reasonCode: kind === 'internal' ? 'adapter_failure' : `framework_${status}`, cause: err });
}

/** Writes a `NodeResponse` on a raw `ServerResponse` (Express, plain `http`). */
export function writeNodeResponse(res: ServerResponse, response: NodeResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

function defaultDialect(gatehouse: Gatehouse) {
  try {
    return gatehouse.container.resolve<PipelineOptions>(TOKENS.PipelineOptions).defaultDialect;
  } catch {
    return 'infisical' as const;
  }
}
