/**
 * Fastify 5 adapter: translation only. Fastify reads `application/json` bodies (its raw-body reader, our limit)
 * and the core judges and parses them (`classifyBody`, `parseJsonBytes`: one verdict, identical errors in every
 * adapter); any other media type goes to the core's reader, which refuses it. Validation, limiting, issuing and
 * rendering are the core's.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { guardFrom, toJsonSchema, type Gatehouse, type GuardSource, type Principal } from '@gatehouse-auth/core';
import {
  DEFAULT_BODY_LIMIT, classifyBody, failureResponse, parseJsonBytes, parserBodyError, frameworkPath, guardRequestOf, pathOf, readJsonBodyThen, respond, routePrefixes, toGatehouseRequest,
  toNodeResponse,
  type BodyResult, type NodeResponse,
} from '@gatehouse-auth/core/node';
import type { BodyError } from '@gatehouse-auth/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `gatehouseGuard` / `fastify.gatehouseGuard`; null on unguarded routes. */
    gatehousePrincipal: Principal | null;
  }
  interface FastifyInstance {
    gatehouse: Gatehouse;
    /** preHandler verifying `Authorization: Bearer` with this Gatehouse (stateful check, revocation applies). */
    gatehouseGuard: preHandlerAsyncHookHandler;
  }
}

export interface GatehouseFastifyOptions {
  gatehouse: Gatehouse;
  /** Body byte limit for Gatehouse routes. Default 64 KiB. */
  bodyLimit?: number;
  /** Path prefixes whose unknown routes get the core's 404 (default: `routePrefixes(gatehouse)`). */
  routePrefixes?: string[];
}

/** Carries a body failure from the content-type parser to the scoped error handler. */
class BodyFailure extends Error {
  constructor(readonly bodyError: BodyError) {
    super(bodyError);
  }
}

/** Fastify's own body errors: its reader's (declared or streamed size, a length mismatch) and an unparsable content-type. */
const FASTIFY_BODY_ERRORS: Record<string, BodyError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
};

type ParserDone = (err: Error | null, body?: unknown) => void;

function settle(result: BodyResult, done: ParserDone): void {
  if (result.bodyError) done(new BodyFailure(result.bodyError));
  else done(null, result.body);
}

/**
 * The body error behind an error Fastify raised while reading a body, or undefined when it is something else. The
 * headers are judged first (`parserBodyError`, as for Express's and Koa's parsers).
 */
function fastifyBodyError(error: FastifyError, request: FastifyRequest, limit: number): BodyError | undefined {
  // ECONNRESET: the client went away mid-body, and Fastify's reader passes the stream's error on.
  const known = FASTIFY_BODY_ERRORS[error.code] ?? (error.code === 'ECONNRESET' ? 'aborted' : undefined);
  return known && (parserBodyError(error, request.headers, limit) ?? known);
}

/** Fastify's validator contract, passing the data through as it came. */
const untouched = (data: unknown) => ({ value: data });

const OTHER_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const stringify = () => (data: unknown) => JSON.stringify(data);

function send(reply: FastifyReply, response: NodeResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

async function plugin(fastify: FastifyInstance, options: GatehouseFastifyOptions) {
  const { gatehouse } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!fastify.hasRequestDecorator('gatehousePrincipal')) fastify.decorateRequest('gatehousePrincipal', null);
  fastify.decorate('gatehouse', gatehouse);
  fastify.decorate('gatehouseGuard', gatehouseGuard({ gatehouse }));

  const forward = async (request: FastifyRequest, reply: FastifyReply, body: BodyResult) =>
    send(reply, await respond(gatehouse, toGatehouseRequest(request.raw, body, { response: reply.raw })));
  const handler = (request: FastifyRequest, reply: FastifyReply) => forward(request, reply, { body: request.body });

  // A child context: our parser and error handler apply to Gatehouse routes only, never to the app's.
  await fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Callback style: no promise per request. The header verdicts (encoding, charset) come before the bytes are
    // parsed, as in the core's reader.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limit }, (request: FastifyRequest, bytes: Buffer, done: ParserDone) => {
      const verdict = classifyBody(request.headers, limit);
      settle(verdict === 'read' ? parseJsonBytes(bytes) : verdict, done);
    });
    scope.addContentTypeParser('*', (request: FastifyRequest, payload: FastifyRequest['raw'], done: ParserDone) => {
      readJsonBodyThen(payload, { limit, headers: request.headers }, (result) => settle(result, done));
    });
    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      // What the headers alone refuse comes first (Fastify checks the declared size before anything else: an
      // oversized gzip body is 415 here as on Express and Koa, not 413).
      const bodyError = error instanceof BodyFailure ? error.bodyError : fastifyBodyError(error, request, limit);
      // Anything else raised on a Gatehouse route (an app-wide hook, say) is still answered in the dialect.
      if (!bodyError) return send(reply, failureResponse(gatehouse, pathOf(request.url), error));
      // Fastify closes the connection after a parser error; the body is drained instead (as Node does for
      // Express and Koa), so a client still sending reads the answer rather than a connection reset.
      reply.removeHeader('connection');
      return forward(request, reply, { bodyError });
    });

    const byPath = new Map<string, string[]>();
    for (const route of gatehouse.routes()) {
      byPath.set(route.path, [...(byPath.get(route.path) ?? []), route.method]);
      const zodSchema = route.endpoint.requestSchema;
      const bodyless = route.method === 'GET' || route.method === 'DELETE';
      scope.route({
        method: route.method,
        url: frameworkPath(route.path),
        // The schemas document the route (OpenAPI tooling reads them); validation is the core's, once, with the
        // route's zod schema, and the core renders a failure, so the body, audit event and rate limiting are
        // those of every adapter. Fastify's validator hands the body over untouched (its default ajv would
        // coerce types and strip unknown keys, and a second schema pass per request cost throughput).
        schema: {
          [bodyless ? 'querystring' : 'body']: toJsonSchema(zodSchema, 'input'),
          ...(route.endpoint.responseSchema ? { response: { 200: toJsonSchema(route.endpoint.responseSchema, 'output') } } : {}),
        },
        validatorCompiler: () => untouched,
        // Response schemas document; bodies are the core's JSON text (a 200 may be a challenge, not a token).
        serializerCompiler: stringify,
        handler,
      });
    }
    // Other methods on Gatehouse paths reach the core too, which answers 405 with `Allow`.
    for (const [path, methods] of byPath) {
      const rest = OTHER_METHODS.filter((m) => !methods.includes(m));
      if (rest.length) scope.route({ method: rest, url: frameworkPath(path), handler });
    }
    // Unknown paths under Gatehouse's prefixes: the core's 404 in the default dialect. Routes the app
    // itself declares under these prefixes still win: Fastify asks a not-found handler only when none matched.
    for (const prefix of options.routePrefixes ?? routePrefixes(gatehouse)) {
      await scope.register(async (child) => child.setNotFoundHandler(handler), { prefix: prefix.replace(/\/$/, '') });
    }
  });
}

/** `await app.register(gatehouseFastify, { gatehouse })`: every strategy, token and JWKS route. */
export const gatehouseFastify = fp(plugin, { name: '@gatehouse-auth/fastify', fastify: '5.x' });

/**
 * Resource-server preHandler: verifies `Authorization: Bearer` (or `DPoP` with its proof; a certificate-bound
 * token against the connection's client certificate), sets `request.gatehousePrincipal`, or answers the
 * dialect's 401 with the RFC 6750 / RFC 9449 challenge.
 */
export function gatehouseGuard(source: GuardSource): preHandlerAsyncHookHandler {
  const guard = guardFrom(source);
  return async function gatehouseGuardHook(request, reply) {
    const result = await guard.check(request.headers, request.raw.socket?.remoteAddress ?? '', guardRequestOf(request.raw, request.raw.url));
    if (result.ok) {
      request.gatehousePrincipal = result.principal;
      return;
    }
    return send(reply, toNodeResponse(result.response));
  };
}
