/**
 * Mounts the hosted login page (src/login-page.ts + public/) when it is present, with an SSO button for each
 * IdP of the idp-mfa strategy (in demo mode: the loopback OpenID provider, `idps/demo`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ServerContext } from 'gatehouse';

/** What the login page needs to know about an IdP (see `LoginPageIdp` in login-page.ts). */
interface PageIdp {
  id: string;
  title: string;
  type: 'oidc' | 'oauth2';
  authorizationUrl(state: string): Promise<string>;
}

interface IdpMfaLike {
  authorizationUrl(idpId: string, params: { state: string; http: ServerContext['http']; clock?: ServerContext['gatehouse']['clock'] }): Promise<URL>;
  options: { idps: Record<string, { type: 'oidc' | 'oauth2' }> };
}

function idpsOf(context: ServerContext): PageIdp[] {
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
  const module = new URL('./login-page.js', import.meta.url);
  if (!existsSync(fileURLToPath(module))) return [];
  const { loginPage } = (await import(module.href)) as { loginPage: FastifyPluginAsync<{ gatehouse: ServerContext['gatehouse']; demo: boolean; idps: PageIdp[] }> };
  await app.register(loginPage, { gatehouse: context.gatehouse, demo: context.config.mode === 'demo', idps: idpsOf(context) });
  return [`Login page          ${context.urls.http}/login`];
}
