/**
 * The Koa twin of examples/express-app: a resource API in its own process that accepts Gatehouse tokens,
 * checked offline against the JWKS and then by introspection (revocation, use limits).
 */
import { createRemoteVerifier } from '@gatehouse-auth/client';
import { gatehouseGuard, type GatehouseState } from '@gatehouse-auth/koa';
import Router from '@koa/router';
import Koa from 'koa';

export interface ResourceAppOptions {
  authServerUrl: string;
  issuer: string;
  audience: string;
  introspectionSecret?: string;
  trustProxy?: string[];
}

export function createResourceApp(options: ResourceAppOptions): Koa<GatehouseState> {
  const base = options.authServerUrl.replace(/\/+$/, '');
  const verifier = createRemoteVerifier({
    jwksUrl: `${base}/.well-known/jwks.json`,
    issuer: options.issuer,
    audience: options.audience,
    introspection: { url: `${base}/api/v1/auth/token/introspect`, secret: options.introspectionSecret },
  });

  const app = new Koa<GatehouseState>();
  const publicRoutes = new Router();
  publicRoutes.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  const api = new Router<GatehouseState>({ prefix: '/api' });
  api.use(gatehouseGuard({ verifier, trustProxy: options.trustProxy ?? false }));
  api.get('/whoami', (ctx) => {
    const principal = ctx.state.gatehouse;
    ctx.body = { subject: principal.subject, authMethod: principal.authMethod, expiresAt: principal.expiresAt.toISOString() };
  });
  api.get('/deployments', (ctx) => {
    ctx.body = { deployments: [{ id: 'dep-1', service: 'billing', status: 'healthy' }] };
  });
  app.use(publicRoutes.routes()).use(api.routes()).use(api.allowedMethods());
  return app;
}
