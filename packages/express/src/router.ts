/**
 * Express 5 adapter: translation only. The core's Node bridge reads the body (or adopts the app's
 * express.json() result), the core validates, limits, issues and renders.
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { guardFrom, type Gatehouse, type GuardSource, type Principal } from '@gatehouse-auth/core';
import {
  adoptOrReadBody, DEFAULT_BODY_LIMIT, drainRequest, failureResponse, guardRequestOf, parserBodyError, pathOf, respond, routeMatcher, toGatehouseRequest,
  toNodeResponse, writeNodeResponse,
} from '@gatehouse-auth/core/node';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** Set by `gatehouseGuard`: who the bearer token says is calling. */
      gatehouse?: Principal;
    }
  }
}

export interface GatehouseExpressOptions {
  gatehouse: Gatehouse;
  /** Body byte limit when Gatehouse reads the body itself. Default 64 KiB. */
  bodyLimit?: number;
  /** Path prefixes whose unknown routes get the core's 404 (default: `routePrefixes(gatehouse)`). */
  routePrefixes?: string[];
}

/** Handles Gatehouse's paths (its routes and the unknown ones under its prefixes); `next()` for the rest. */
export function gatehouseRouter(options: GatehouseExpressOptions): Router {
  const { gatehouse } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const matcher = routeMatcher(gatehouse, options.routePrefixes);
  const router = express.Router();
  router.use(async (req, res, next) => {
    // originalUrl: Gatehouse paths are absolute, wherever the router is mounted.
    if (!matcher.answers(pathOf(req.originalUrl))) return next();
    const body = await adoptOrReadBody(req, req.body, { limit });
    const request = toGatehouseRequest(req, body, { url: req.originalUrl, response: res });
    writeNodeResponse(res, await respond(gatehouse, request));
  });
  router.use(gatehouseErrorHandler(options));
  return router;
}

/**
 * Renders, in the dialect, errors raised on Gatehouse paths before its router ran, e.g. the app's own
 * express.json() refusing a body (413, bad JSON): Express would otherwise answer with its HTML page.
 */
export function gatehouseErrorHandler(options: GatehouseExpressOptions): ErrorRequestHandler {
  const { gatehouse } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const matcher = routeMatcher(gatehouse, options.routePrefixes);
  return async (err: unknown, req, res, next) => {
    const path = pathOf(req.originalUrl);
    if (!matcher.answers(path) || res.headersSent) return next(err);
    drainRequest(req);
    const bodyError = parserBodyError(err, req.headers, limit);
    const response = bodyError
      ? await respond(gatehouse, toGatehouseRequest(req, { bodyError }, { url: req.originalUrl }))
      : failureResponse(gatehouse, path, err);
    writeNodeResponse(res, response);
  };
}

/** `app.use(gatehouseExpress({ gatehouse }))`: the router plus the error handler, in one mount. */
export function gatehouseExpress(options: GatehouseExpressOptions): [Router, ErrorRequestHandler] {
  return [gatehouseRouter(options), gatehouseErrorHandler(options)];
}

/**
 * Resource-server middleware: verifies `Authorization: Bearer` (or `DPoP` with its proof; a certificate-bound
 * token against the connection's client certificate), sets `req.gatehouse`, or answers the dialect's 401
 * with the RFC 6750 / RFC 9449 challenge.
 */
export function gatehouseGuard(source: GuardSource): RequestHandler {
  const guard = guardFrom(source);
  return async (req, res, next) => {
    // originalUrl: the path the client addressed (its DPoP proof's htu), wherever the guard is mounted.
    const result = await guard.check(req.headers, req.socket?.remoteAddress ?? '', guardRequestOf(req, req.originalUrl));
    if (!result.ok) return writeNodeResponse(res, toNodeResponse(result.response));
    req.gatehouse = result.principal;
    next();
  };
}
