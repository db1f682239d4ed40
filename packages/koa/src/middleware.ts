/**
 * Koa 3 adapter: translation only. The core's Node bridge reads the body (or adopts one a body parser
 * already produced); the core validates, limits, issues and renders.
 */
import Router from '@koa/router';
import type { Context, Middleware, ParameterizedContext } from 'koa';
import { guardFrom, type Gatehouse, type GuardSource, type Principal } from '@gatehouse-auth/core';
import {
  adoptOrReadBody, DEFAULT_BODY_LIMIT, drainRequest, failureResponse, frameworkPath, guardRequestOf, parserBodyError, respond, routeMatcher,
  toGatehouseRequest,
  toNodeResponse, type NodeResponse,
} from '@gatehouse-auth/core/node';

export interface GatehouseKoaOptions {
  gatehouse: Gatehouse;
  /** Body byte limit when Gatehouse reads the body itself. Default 64 KiB. */
  bodyLimit?: number;
  /** Path prefixes whose unknown routes get the core's 404 (default: `routePrefixes(gatehouse)`). */
  routePrefixes?: string[];
}

/** `ctx.state` after `gatehouseGuard`. */
export interface GatehouseState {
  gatehouse: Principal;
}

function send(ctx: Context | ParameterizedContext, response: NodeResponse): void {
  const { 'content-type': _type, ...headers } = response.headers;
  // An explicit null body keeps Koa from writing its own text ("Found", "No Content").
  if (response.body === undefined) ctx.body = null;
  ctx.status = response.status;
  ctx.set(headers as Record<string, string | string[]>);
  if (response.body !== undefined) {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = response.body;
  }
}

/**
 * Serves Gatehouse's routes (every method: the core answers 405) with `@koa/router`. Unknown paths under
 * Gatehouse's prefixes get the core's 404 only after downstream middleware left them unanswered, so the
 * app's own routes under those prefixes still work. Mount it before your body parser (the parser then never
 * sees Gatehouse's bodies), or after one: a parsed JSON body is adopted, anything else is read or refused
 * here; then mount `gatehouseKoaErrors` above the parser so its refusals are rendered in the dialect.
 */
export function gatehouseKoa(options: GatehouseKoaOptions): Middleware {
  const { gatehouse } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const matcher = routeMatcher(gatehouse, options.routePrefixes);
  const handle = async (ctx: Context) => {
    const parsed = (ctx.request as { body?: unknown }).body;
    const body = await adoptOrReadBody(ctx.req, parsed, { limit });
    send(ctx, await respond(gatehouse, toGatehouseRequest(ctx.req, body, { response: ctx.res })));
  };
  const router = new Router({ strict: true, sensitive: true });
  for (const path of new Set(gatehouse.routes().map((r) => r.path))) router.all(frameworkPath(path), handle);
  const routes = router.routes();
  return (ctx, next) =>
    // The router adds its own fields (params, router) to the context it is given.
    routes(ctx as Parameters<typeof routes>[0], async () => {
      await next();
      if (ctx.status === 404 && ctx.body == null && matcher.answers(ctx.path)) await handle(ctx);
    });
}

/**
 * Upstream error middleware for apps whose body parser runs before `gatehouseKoa`: the parser's refusals
 * (413, bad JSON) and any other error on a Gatehouse path are answered in the dialect, not by Koa's text.
 */
export function gatehouseKoaErrors(options: GatehouseKoaOptions): Middleware {
  const { gatehouse } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const matcher = routeMatcher(gatehouse, options.routePrefixes);
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!matcher.answers(ctx.path) || ctx.headerSent) throw err;
      drainRequest(ctx.req);
      const bodyError = parserBodyError(err, ctx.req.headers, limit);
      send(ctx, bodyError ? await respond(gatehouse, toGatehouseRequest(ctx.req, { bodyError })) : failureResponse(gatehouse, ctx.path, err));
    }
  };
}

/**
 * Resource-server middleware: verifies `Authorization: Bearer` (or `DPoP` with its proof; a certificate-bound
 * token against the connection's client certificate), sets `ctx.state.gatehouse`, or answers the dialect's
 * 401 with the RFC 6750 / RFC 9449 challenge.
 */
export function gatehouseGuard<StateT extends object = object>(source: GuardSource): Middleware<StateT & GatehouseState> {
  const guard = guardFrom(source);
  return async (ctx, next) => {
    // originalUrl: the path the client addressed (its DPoP proof's htu), under any mounted router prefix.
    const result = await guard.check(ctx.headers, ctx.req.socket?.remoteAddress ?? '', guardRequestOf(ctx.req, ctx.originalUrl));
    if (!result.ok) return send(ctx, toNodeResponse(result.response));
    ctx.state.gatehouse = result.principal;
    await next();
  };
}
