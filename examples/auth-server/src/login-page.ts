/**
 * The hosted login page as an encapsulated Fastify plugin: static pages (no build step), SSO start/callback with a
 * `state` cookie, and the console form bridge for the ECE-style redirect flow. It only calls Gatehouse's own routes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Gatehouse } from '@gatehouse-auth/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface LoginPageIdp {
  /** The IdP id in `idps/<id>`. */
  id: string;
  title: string;
  type: 'oidc' | 'oauth2';
  /** The IdP's authorization URL for this `state`; its redirect URI must be `<origin>/login/sso/<id>/callback`. */
  authorizationUrl(state: string): string | Promise<string>;
}

export interface LoginPageOptions {
  gatehouse: Gatehouse;
  demo?: boolean;
  idps?: LoginPageIdp[];
  /** `Secure` on the page's cookie whatever the request says (behind a TLS-terminating proxy). Default: when https. */
  secureCookies?: boolean;
}

const ECE_LOGIN = '/api/v1/users/auth/_login';
const PUBLIC = fileURLToPath(new URL('../public/', import.meta.url));
const ASSETS: Record<string, string> = { 'login.js': 'text/javascript', 'sso-token.js': 'text/javascript', 'style.css': 'text/css' };

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, defeating the CSRF check.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const file = (name: string) => readFileSync(`${PUBLIC}${name}`);

export async function loginPage(app: FastifyInstance, options: LoginPageOptions): Promise<void> {
  const pages = { login: file('login.html'), ssoToken: file('sso-token.html') };
  const assets = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, file(name)]));
  const idps = new Map((options.idps ?? []).map((idp) => [idp.id, idp]));

  const html = (reply: FastifyReply, body: Buffer) => reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(body);
  const back = (reply: FastifyReply, error: string) => reply.headers(SECURITY_HEADERS).redirect(`/login?error=${encodeURIComponent(error)}`, 303);

  // Forms post urlencoded bodies; parse them here only (this plugin is encapsulated), and keep them small.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get('/login', (_req, reply) => html(reply, pages.login));
  app.get('/sso/token', (_req, reply) => html(reply, pages.ssoToken));
  app.get<{ Params: { file: string } }>('/login/assets/:file', (req, reply) => {
    const type = ASSETS[req.params.file];
    if (!type) return reply.code(404).send();
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'public, max-age=300').type(`${type}; charset=utf-8`).send(assets[req.params.file]);
  });
  app.get('/login/config.json', (_req, reply) =>
    reply.headers(SECURITY_HEADERS).send({ demo: Boolean(options.demo), idps: [...idps.values()].map(({ id, title, type }) => ({ id, title, type })) }),
  );

  app.get<{ Params: { id: string } }>('/login/sso/:id', async (req, reply) => {
    const idp = idps.get(req.params.id);
    if (!idp) return back(reply, 'Unknown identity provider.');
    const state = randomBytes(16).toString('base64url');
    const secure = options.secureCookies || req.protocol === 'https' ? '; Secure' : '';
    // Lax, not Strict: the IdP sends the browser back with a top-level cross-site GET.
    reply.header('set-cookie', `gh_sso_state=${state}; Path=/login/sso/${idp.id}; HttpOnly; SameSite=Lax; Max-Age=600${secure}`);
    return reply.headers(SECURITY_HEADERS).redirect(await idp.authorizationUrl(state), 302);
  });

  app.get<{ Params: { id: string }; Querystring: { code?: string; state?: string; error?: string } }>('/login/sso/:id/callback', async (req, reply) => {
    const idp = idps.get(req.params.id);
    const expected = cookie(req, 'gh_sso_state');
    reply.header('set-cookie', `gh_sso_state=; Path=/login/sso/${req.params.id}; HttpOnly; SameSite=Lax; Max-Age=0`);
    if (!idp) return back(reply, 'Unknown identity provider.');
    if (req.query.error) return back(reply, 'The identity provider refused the sign-in.');
    const { code, state } = req.query;
    if (!code || !state || !expected || !equal(state, expected) || code.length > 2048) {
      return back(reply, 'Single sign-on could not be completed. Start again.');
    }
    const fragment = new URLSearchParams({ idp: `idps/${idp.id}`, type: idp.type, code });
    return reply.headers(SECURITY_HEADERS).redirect(`/login#${fragment.toString()}`, 303);
  });

  app.post<{ Body: Record<string, string> }>('/login/ece', async (req, reply) => {
    // Login CSRF: a form post must come from this origin (Origin, else Referer; Fetch Metadata when browsers send it).
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    const self = `${req.protocol}://${req.headers.host}`;
    const site = req.headers['sec-fetch-site'];
    if (origin !== self || (site !== undefined && site !== 'same-origin')) {
      return back(reply, 'The sign-in form must be submitted from this site.');
    }
    const body = req.body ?? {};
    const response = await options.gatehouse.handle({
      method: 'POST',
      path: ECE_LOGIN,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': req.headers['x-forwarded-for'] },
      body: {
        username: String(body.username ?? ''),
        password: String(body.password ?? ''),
        ...(body.path ? { login_state: { path: String(body.path) } } : {}),
      },
      socketAddress: req.raw.socket.remoteAddress ?? '',
      protocol: req.protocol === 'https' ? 'https' : 'http',
    });
    const location = response.headers.location;
    if (response.status === 302 && location) return reply.headers(SECURITY_HEADERS).redirect(location, 303);
    const message = (response.body as { errors?: { message?: string }[] } | undefined)?.errors?.[0]?.message ?? 'Sign-in failed.';
    return back(reply, response.status === 429 ? 'Too many attempts. Wait a few minutes and try again.' : message);
  });
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
