/** A production server in this process: no demo machinery, and `/healthz` when the store fails. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createMemoryStores, createGatehouse, StoreUnavailableError } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { loadDemoModule } from '../src/demo/load-demo.js';
import { buildServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/start-server.js';
import { cookieSecurity } from '../src/strategies.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('production mode', () => {
  it('needs no demo machinery: no emulators, no demo label, no credentials printed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-prod-'));
    const { config } = resolveConfig({ store: { driver: 'memory' }, server: { port: 0 } }, dataDir);
    let banner = '';
    const server = await startServer(
      { config, path: join(dataDir, 'c.json'), dataDir },
      { env: { NODE_ENV: 'production' }, logDestination: sink(), out: new Writable({ write: (c, _e, cb) => ((banner += String(c)), cb()) }) },
    );
    try {
      expect(server.demo).toBeNull();
      expect(banner).toBe(`Gatehouse listening on ${server.urls.http}; API reference ${server.urls.http}/docs\n`);
      const health = await fetch(`${server.urls.http}/healthz`);
      expect(health.headers.get('x-gatehouse-mode')).toBeNull();
      expect(await health.json()).toMatchObject({ status: 'ok', mode: 'production' });
    } finally {
      await server.close();
    }
  });

  it('safe defaults: login routes throttled per address (60 a minute), introspection refuses callers without the secret, Secure cookies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-prod-'));
    const { config } = resolveConfig({ store: { driver: 'memory' }, server: { port: 0 } }, dataDir);
    expect(cookieSecurity(config)).toBe('always');
    expect(cookieSecurity(resolveConfig({ mode: 'demo' }, dataDir).config)).toBe('auto');
    let logs = '';
    const server = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env: {}, logDestination: new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) }), out: sink() });
    try {
      const post = (path: string, body: unknown) => fetch(`${server.urls.http}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await post('/api/v1/auth/alicloud-auth/login', { nonsense: i })).status);
      expect(statuses.slice(0, 60).every((s) => s === 422)).toBe(true);
      const limited = await post('/api/v1/auth/alicloud-auth/login', {});
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another login route has its own budget; the token routes have none.
      expect((await post('/api/v1/auth/oci-auth/login', {})).status).toBe(422);
      for (let i = 0; i < 70; i++) expect((await fetch(`${server.urls.http}/.well-known/jwks.json`)).status).toBe(200);
      const introspection = await post('/api/v1/auth/token/introspect', { token: 'x.y.z' });
      expect(introspection.status).toBe(401);
      expect(logs).toMatch(/introspection refuses every caller: set tokens.introspectionSecret/);
    } finally {
      await server.close();
    }
  });

  it('/readyz answers 503 naming the check when the store does not, without the error text; /healthz stays 200', async () => {
    const gatehouse = createGatehouse({ stores: createMemoryStores() });
    let logs = '';
    const app = await buildServer({
      gatehouse,
      logger: createLogger({ log: { level: 'info' }, mode: 'production' }, new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) })),
      mode: 'production',
      storeDriver: 'postgres',
      readiness: [
        {
          name: 'store',
          run: async () => {
            throw new Error('connect ECONNREFUSED db.internal:5432 user=gatehouse');
          },
        },
        { name: 'signingKey', run: async () => ({ kid: 'k1' }) },
      ],
      bodyLimit: 65536,
      publicUrls: [],
      version: '0.0.0',
    });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'unavailable', store: { driver: 'postgres' }, checks: { store: { ok: false, reason: 'failed' }, signingKey: { ok: true, kid: 'k1' } } });
    // Hosts and user names stay in the log.
    expect(ready.body).not.toMatch(/ECONNREFUSED|db\.internal|user=/);
    expect(logs).toMatch(/"check":"store".*ECONNREFUSED db\.internal.*readiness check failed/);
    const live = await app.inject({ method: 'GET', url: '/healthz' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'ok', mode: 'production', version: '0.0.0' });
    await app.close();
    await gatehouse.close();
  });
});


describe('log lines', () => {
  it('every line names reqId once: request lines, a failed login\'s error line and its audit line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-logs-'));
    const { config } = resolveConfig({ store: { driver: 'memory' }, server: { port: 0 } }, dataDir);
    let logs = '';
    const server = await startServer(
      { config, path: join(dataDir, 'c.json'), dataDir },
      { env: {}, logDestination: new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) }), out: sink() },
    );
    let requestId: string;
    try {
      // A store that stops answering mid-login: an error line (503) from the pipeline's request logger.
      server.gatehouse.stores.users.getByUsername = async () => {
        throw new StoreUnavailableError(new Error('connection refused'));
      };
      const res = await fetch(`${server.urls.http}/api/v1/users/auth/_login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ann', password: 'whatever-password' }),
      });
      expect(res.status).toBe(503);
      requestId = res.headers.get('x-request-id')!;
      await fetch(`${server.urls.http}/healthz`);
    } finally {
      await server.close();
    }
    const lines = logs.trim().split('\n');
    const mine = lines.filter((l) => l.includes(requestId));
    expect(mine.map((l) => (JSON.parse(l) as { msg: string }).msg).sort()).toEqual(['login.failed', 'login.failed', 'request', 'request failed']);
    for (const line of lines) expect((line.match(/"reqId":/g) ?? []).length, line).toBeLessThanOrEqual(1);
    expect(lines.filter((l) => (JSON.parse(l) as { msg: string }).msg === 'request').every((l) => /"reqId":/.test(l))).toBe(true);
  });
});

describe('demo mode without the demo package', () => {
  it('says which package to install, and never starts a listener', async () => {
    const missing = '@gatehouse-auth/demo-not-installed';
    await expect(loadDemoModule(missing)).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining(`needs the ${missing} package`) });
  });
});
