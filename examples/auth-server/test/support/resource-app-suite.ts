/**
 * The resource-API examples (express-app, koa-app) against the real example auth server: its demo config,
 * started in-process on free ports. A token from its password login is accepted; once revoked, refused.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { demoContextOf } from '@gatehouse-auth/demo';
import { loadConfig, startServer, type RunningServer } from '@gatehouse-auth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, sink } from './in-process.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ResourceAppFactory {
  (options: { authServerUrl: string; issuer: string; audience: string; introspectionSecret?: string }): { listen(port: number, host: string): Server };
}

export function runResourceAppSuite(name: string, createResourceApp: ResourceAppFactory): void {
  describe(`${name} with the example auth server`, () => {
    let auth: RunningServer;
    let api: Server;
    let apiUrl: string;

    beforeAll(async () => {
      const loaded = loadConfig(EXAMPLE_CONFIG, { GATEHOUSE_PORT: '0', GATEHOUSE_TLS_PORT: '0', GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-rs-')) });
      loaded.config.store.driver = 'memory';
      auth = await startServer(loaded, { env: {}, out: sink(), logDestination: sink() });
      const { issuer, audience } = auth.gatehouse.issuer.options;
      // Demo mode's introspection secret (a production server's is GATEHOUSE_INTROSPECTION_SECRET).
      const introspectionSecret = auth.demo!.introspectionSecret;
      api = createResourceApp({ authServerUrl: auth.urls.http, issuer, audience, introspectionSecret }).listen(0, '127.0.0.1');
      await new Promise((r) => api.once('listening', r));
      apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(async () => {
      await new Promise((r) => api?.close(r));
      await auth?.close();
    });

    /** The demo operator's password login (ECE-style route), as the start banner prints it. */
    async function login(): Promise<string> {
      const { username, password } = demoContextOf(auth.demo)!.materials.users.operator;
      const res = await fetch(`${auth.urls.http}/api/v1/users/auth/_login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    }

    const whoami = (token?: string) => fetch(`${apiUrl}/api/whoami`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    it('accepts a token from the auth server', async () => {
      const res = await whoami(await login());
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ subject: { type: 'user' }, authMethod: 'ece-password' });
    });

    it('refuses a revoked token with 401 and a Bearer challenge', async () => {
      const token = await login();
      expect((await whoami(token)).status).toBe(200);
      const revoked = await fetch(`${auth.urls.http}/api/v1/auth/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessToken: token }),
      });
      expect(revoked.status).toBe(200);
      const res = await whoami(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    });

    it('refuses missing and garbled tokens, and keeps /healthz public', async () => {
      expect((await whoami()).status).toBe(401);
      expect((await whoami('not.a.token')).status).toBe(401);
      expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
    });
  });
}
