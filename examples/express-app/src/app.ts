/**
 * A resource API that accepts tokens from a Gatehouse auth server it does not share a process with: signatures
 * are checked offline against the server's JWKS, then introspection makes revocation and use limits count.
 */
import { createRemoteVerifier } from '@gatehouse-auth/client';
import { gatehouseGuard } from '@gatehouse-auth/express';
import express, { type Express } from 'express';

export interface ResourceAppOptions {
  /** Base URL of the Gatehouse auth server, e.g. `http://127.0.0.1:8080`. */
  authServerUrl: string;
  /** The auth server's `iss` and `aud` for access tokens. */
  issuer: string;
  audience: string;
  /** The auth server's introspection secret (a Gatehouse server refuses introspection without one, RFC 7662 §2.1). */
  introspectionSecret?: string;
  /** CIDRs of proxies in front of this API (their X-Forwarded-For is believed). */
  trustProxy?: string[];
}

export function createResourceApp(options: ResourceAppOptions): Express {
  const base = options.authServerUrl.replace(/\/+$/, '');
  const verifier = createRemoteVerifier({
    jwksUrl: `${base}/.well-known/jwks.json`,
    issuer: options.issuer,
    audience: options.audience,
    introspection: { url: `${base}/api/v1/auth/token/introspect`, secret: options.introspectionSecret },
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', gatehouseGuard({ verifier, trustProxy: options.trustProxy ?? false }));
  app.get('/api/whoami', (req, res) => {
    const principal = req.gatehouse!;
    res.json({ subject: principal.subject, authMethod: principal.authMethod, expiresAt: principal.expiresAt.toISOString() });
  });
  app.get('/api/deployments', (_req, res) => {
    res.json({ deployments: [{ id: 'dep-1', service: 'billing', status: 'healthy' }] });
  });
  return app;
}
