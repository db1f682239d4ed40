/**
 * Mounts the hosted login page (src/login-page.ts + public/) on the server's app, with an SSO button for each
 * IdP of the idp-mfa strategy (in demo mode: the loopback OpenID provider, `idps/demo`).
 */
import type { FastifyInstance } from 'fastify';
import { cookieSecurity, type ServerContext } from '@gatehouse-auth/server';
import { loginPage, type LoginPageIdp } from './login-page.js';

/** The parts of the idp-mfa strategy the SSO buttons need. */
interface IdpMfaLike {
  authorizationUrl(idpId: string, params: { state: string; http: ServerContext['http']; clock?: ServerContext['gatehouse']['clock'] }): Promise<URL>;
  options: { idps: Record<string, { type: 'oidc' | 'oauth2' }> };
}

function idpsOf(context: ServerContext): LoginPageIdp[] {
  const found = context.strategies.find((s) => s.id === 'idp-mfa') as Partial<IdpMfaLike> | undefined;
  if (typeof found?.authorizationUrl !== 'function' || !found.options) return [];
  const strategy = found as IdpMfaLike;
  return Object.entries(strategy.options.idps).map(([id, idp]) => ({
    id,
    title: id === 'demo' && context.demo ? 'Demo identity provider' : id,
    type: idp.type,
    authorizationUrl: async (state: string) => (await strategy.authorizationUrl(id, { state, http: context.http, clock: context.gatehouse.clock })).href,
  }));
}

export async function mountLoginPage(app: FastifyInstance, context: ServerContext): Promise<string[]> {
  await app.register(loginPage, {
    gatehouse: context.gatehouse,
    demo: context.config.mode === 'demo',
    idps: idpsOf(context),
    secureCookies: cookieSecurity(context.config) === 'always',
  });
  return [`Login page          ${context.urls.http}/login`];
}
