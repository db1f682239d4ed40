/**
 * The demo IdP is real: the login page's SSO button for `idps/demo` goes to the in-process OpenID provider,
 * whose development login form signs in; the code comes back to `/login/sso/demo/callback` and the idp-mfa
 * login exchanges it (openid-client, ID token fully validated) for a token of a just-in-time user. Driven over
 * HTTP the way a browser would, with one cookie jar per origin.
 */
import type { RunningServer } from '@gatehouse-auth/server';
import { demoContextOf } from '@gatehouse-auth/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleInProcess } from './support/in-process.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startExampleInProcess();
});
afterAll(() => server?.close());

const jars = new Map<string, Map<string, string>>();

async function browse(url: string, init: RequestInit = {}): Promise<Response> {
  const origin = new URL(url).origin;
  const jar = jars.get(origin) ?? new Map<string, string>();
  jars.set(origin, jar);
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return res;
}

describe('demo SSO through the in-process OpenID provider', () => {
  it('SSO button → IdP login form → callback → code exchanged for a token of a just-in-time user', async () => {
    const idp = demoContextOf(server.demo)!.emulators.idp!;
    const start = await browse(`${server.urls.http}/login/sso/demo`);
    expect(start.status).toBe(302);
    let next = start.headers.get('location')!;
    expect(next.startsWith(`${idp.issuer}/`)).toBe(true);

    let landing: URL | null = null;
    for (let hop = 0; hop < 12 && !landing; hop++) {
      const res = await browse(next);
      const html = await res.text();
      const location = res.headers.get('location');
      if (location) {
        const target = new URL(location, next);
        if (target.origin === server.urls.http) landing = target;
        else next = target.href;
        continue;
      }
      // An interaction page: submit the development login form (any name), then the consent form.
      const prompt = /name="prompt" value="login"/.test(html) ? 'login' : 'consent';
      const form = new URLSearchParams(prompt === 'login' ? { prompt, login: 'demo', password: 'anything' } : { prompt });
      const submitted = await browse(next, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await submitted.arrayBuffer();
      next = new URL(submitted.headers.get('location')!, next).href;
    }
    expect(landing?.pathname).toBe('/login/sso/demo/callback');

    const callback = await browse(landing!.href);
    expect(callback.status).toBe(303);
    const fragment = new URLSearchParams(new URL(callback.headers.get('location')!, server.urls.http).hash.slice(1));
    expect(fragment.get('idp')).toBe('idps/demo');

    const login = await fetch(`${server.urls.http}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idpName: 'idps/demo', idpContext: { oidcContext: { code: fragment.get('code') } } }),
    });
    const body = (await login.json()) as { token?: string; user?: { email: string; profile: { source: string } } };
    expect(login.status).toBe(200);
    expect(body.user).toMatchObject({ email: 'sso@demo.gatehouse.test', profile: { source: 'idps/demo' } });
    expect((await server.gatehouse.issuer.verify(body.token!, { stateful: 'check' })).authMethod).toBe('idp-mfa');
  });
});
