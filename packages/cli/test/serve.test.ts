/**
 * The server `gatehouse serve` runs, started in this process: demo mode (memory store, emulators, free
 * ports), all five logins through the CLI's own login commands, the extra routes, graceful shutdown with a
 * request in flight, and a production server on PostgreSQL.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { buildAlicloudLoginBody } from '@gatehouse-auth/client';
import { createCa } from '@gatehouse-auth/testing/certs';
import { generate } from 'otplib';
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { demoContextOf, demoFiles, type DemoContext } from '@gatehouse-auth/demo';
import { applyEnvOverrides, resolveConfig, startServer, type RunningServer } from '@gatehouse-auth/server';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.end();
  return {
    stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
    stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
    stdin,
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const io = { ...captureIo(), env };
  const code = await main(['node', 'gatehouse', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

const demo = (s: RunningServer): DemoContext => demoContextOf(s.demo)!;

describe('demo mode, in process', () => {
  let server: RunningServer;
  let banner = '';
  let logs = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-server-'));

  beforeAll(async () => {
    const { config } = resolveConfig({ mode: 'demo', dataDir, store: { driver: 'memory' }, server: { port: 0, tls: { port: 0 } } }, dataDir);
    server = await startServer(
      { config, path: join(dataDir, 'gatehouse.config.json'), dataDir },
      { env: {}, logDestination: new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) }), out: new Writable({ write: (c, _e, cb) => ((banner += String(c)), cb()) }) },
    );
  });
  afterAll(() => server?.close());

  it('prints both listeners, the demo users and five login commands', () => {
    expect(banner).toContain(`HTTP listening on   ${server.urls.http}`);
    expect(banner).toContain(server.urls.https!);
    expect(banner).toMatch(/DEMO MODE/);
    expect(banner).toContain(`Metrics             ${server.urls.http}/metrics`);
    expect(banner.match(/^\s*\$ npx gatehouse login /gm)).toHaveLength(5);
  });

  it('every login succeeds through the CLI login commands', async () => {
    const m = demo(server).materials;
    const f = demoFiles(dataDir);
    const http = server.urls.http;
    const logins: [string, string[]][] = [
      ['alicloud', ['login', 'alicloud', '--server', http, '--identity-id', m.alicloud.identityId, '--credentials-file', f.alicloudCredentials]],
      ['oci', ['login', 'oci', '--server', http, '--identity-id', m.oci.identityId, '--oci-config', f.ociConfig]],
      ['tls-cert', ['login', 'tls', '--server', server.urls.https!, '--identity-id', m.tls.identityId, '--cert', f.tlsClientCert, '--key', f.tlsClientKey, '--ca', f.tlsCa]],
      ['ece-password', ['login', 'password', '--server', http, '--username', m.users.operator.username, '--password-file', f.operatorPassword]],
      ['idp-mfa', ['login', 'password', '--server', http, '--email', m.users.mfa.email, '--password-file', f.mfaPassword, '--otp', await generate({ secret: m.users.mfa.totpSecret })]],
    ];
    for (const [strategy, args] of logins) {
      const r = await cli(args);
      expect({ strategy, code: r.code, err: r.err }).toEqual({ strategy, code: 0, err: '' });
      const token = r.out.trim();
      expect(token).toMatch(JWT);
      expect((await server.gatehouse.issuer.verify(token, { stateful: 'check' })).authMethod).toBe(strategy);
    }
  });

  it('--dpop-key on every login command binds the token to that key (cnf.jkt), and a bad key file is a usage error', async () => {
    const m = demo(server).materials;
    const f = demoFiles(dataDir);
    const http = server.urls.http;
    const keyFile = join(dataDir, 'dpop-key.pem');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const jkt = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK, 'sha256');
    const dpop = ['--dpop-key', keyFile];
    const logins: [string, string[]][] = [
      ['alicloud', ['login', 'alicloud', '--server', http, '--identity-id', m.alicloud.identityId, '--credentials-file', f.alicloudCredentials, ...dpop]],
      ['oci', ['login', 'oci', '--server', http, '--identity-id', m.oci.identityId, '--oci-config', f.ociConfig, ...dpop]],
      ['tls-cert', ['login', 'tls', '--server', server.urls.https!, '--identity-id', m.tls.identityId, '--cert', f.tlsClientCert, '--key', f.tlsClientKey, '--ca', f.tlsCa, ...dpop]],
      ['ece-password', ['login', 'password', '--server', http, '--username', m.users.operator.username, '--password-file', f.operatorPassword, ...dpop]],
      ['idp-mfa', ['login', 'password', '--server', http, '--email', m.users.mfa.email, '--password-file', f.mfaPassword, '--recovery-code', m.users.mfa.recoveryCodes.at(-1)!, ...dpop]],
    ];
    for (const [strategy, args] of logins) {
      // An OCI signature has one-second resolution and is single use (docs/strategies/oci.md): the previous test
      // signed with this key, so sign in the next second.
      if (strategy === 'oci') await new Promise((r) => setTimeout(r, 1_000 - (Date.now() % 1_000) + 20));
      const r = await cli(args);
      expect({ strategy, code: r.code, err: r.err }).toEqual({ strategy, code: 0, err: '' });
      expect({ strategy, cnf: decodeJwt(r.out.trim()).cnf }).toEqual({ strategy, cnf: { jkt } });
      // `token verify` inspects a bound token (it cannot prove possession) and says what it is bound to.
      const inspected = await cli(['token', 'verify', '--server', http, r.out.trim()]);
      expect({ strategy, code: inspected.code, out: inspected.out }).toEqual({ strategy, code: 0, out: expect.stringMatching(new RegExp(`, bound to DPoP key ${jkt}\\n$`)) });
    }
    const bad = await cli(['login', 'password', '--server', http, '--username', 'x', '--password', 'y', '--dpop-key', f.operatorPassword]);
    expect(bad).toMatchObject({ code: 2, err: `error: --dpop-key ${f.operatorPassword}: not a readable PEM private key\n` });
  });

  it('logs JSON lines: one request line with both request ids, audit events, and never a password or token', async () => {
    const m = demo(server).materials;
    const res = await fetch(`${server.urls.http}/api/v1/users/auth/_login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: m.users.operator.username, password: m.users.operator.password }),
    });
    const { token } = (await res.json()) as { token: string };
    const requestId = res.headers.get('x-request-id')!;
    await new Promise((r) => setTimeout(r, 50));
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.mode === 'demo' && typeof l.time === 'string')).toBe(true);
    const request = lines.find((l) => l.msg === 'request' && l.gatehouseReqId === requestId);
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/users/auth/_login', status: 200, reqId: expect.any(String) });
    const audit = lines.find((l) => (l.audit as { requestId?: string } | undefined)?.requestId === requestId);
    expect(audit).toMatchObject({ msg: 'login.succeeded', audit: { type: 'login.succeeded', endpoint: 'ece-password', status: 200 } });
    for (const secret of [m.users.operator.password, m.users.mfa.password, token, m.alicloud.accessKeySecret]) expect(logs).not.toContain(secret);
  });

  it('an MFA user without a code, a wrong password, a certificate without the CA: exit codes and public messages only', async () => {
    const m = demo(server).materials;
    const f = demoFiles(dataDir);
    const noCode = await cli(['login', 'password', '--server', server.urls.http, '--email', m.users.mfa.email, '--password-file', f.mfaPassword]);
    expect(noCode).toMatchObject({ code: 2, err: 'error: this user has MFA: pass --otp <code> (or --recovery-code <code>)\n' });
    const wrong = await cli(['login', 'password', '--server', server.urls.http, '--username', m.users.operator.username, '--password', 'not-the-password']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe('error: password login refused: HTTP 401: The supplied authentication is invalid [root.unauthenticated]\n');
    const wrongCode = await cli(['login', 'password', '--server', server.urls.http, '--email', m.users.mfa.email, '--password-file', f.mfaPassword, '--otp', '000000']);
    expect(wrongCode.code).toBe(1);
    expect(wrongCode.err).toMatch(/^error: MFA login refused: HTTP 401/);
    const untrusted = await cli(['login', 'tls', '--server', server.urls.https!, '--identity-id', m.tls.identityId, '--cert', f.tlsClientCert, '--key', f.tlsClientKey]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toMatch(/^error: cannot reach https:\/\/127\.0\.0\.1:\d+ \(\w+/);
  });

  it('serves /healthz, /readyz, /metrics, /openapi.json and the API reference page, labelled as demo mode', async () => {
    const health = await fetch(`${server.urls.http}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-gatehouse-mode')).toBe('demo');
    expect(await health.json()).toMatchObject({ status: 'ok', mode: 'demo' });
    const ready = await fetch(`${server.urls.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', mode: 'demo', store: { driver: 'memory' }, checks: { store: { ok: true }, signingKey: { ok: true } } });
    // Demo mode serves the Prometheus endpoint on the main listener.
    expect(server.urls.metrics).toBe(`${server.urls.http}/metrics`);
    const metrics = await fetch(server.urls.metrics!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP gatehouse_login_attempts_total /m);

    const openapi = (await (await fetch(`${server.urls.http}/openapi.json`)).json()) as { openapi: string; info: { description: string }; paths: Record<string, unknown> };
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.info.description).toMatch(/DEMO MODE/);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/alicloud-auth/login', '/v1/auth/login', '/.well-known/jwks.json']));

    const page = await fetch(`${server.urls.http}/docs`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/docs/reference.js">');
    expect(html).toContain('data-openapi="/openapi.json"');
    const js = await fetch(`${server.urls.http}/docs/reference.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain('textContent');
  });

  it('a client certificate from another CA is refused with the dialect\'s 401', async () => {
    const impostor = await createCa({ commonName: 'Gatehouse Demo CA' });
    const leaf = await impostor.issue({ commonName: demo(server).materials.tls.clientCommonName });
    const cert = join(dataDir, 'impostor.pem');
    const key = join(dataDir, 'impostor-key.pem');
    writeFileSync(cert, leaf.certPem);
    writeFileSync(key, leaf.keyPem);
    const r = await cli(['login', 'tls', '--server', server.urls.https!, '--identity-id', demo(server).materials.tls.identityId, '--cert', cert, '--key', key, '--ca', demoFiles(dataDir).tlsCa]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: tls login refused: HTTP 401: /);
  });

  it('an encrypted client key works with its passphrase; a wrong one is a clear usage error', async () => {
    const f = demoFiles(dataDir);
    const encrypted = join(dataDir, 'client-key.enc.pem');
    writeFileSync(
      encrypted,
      createPrivateKey(readFileSync(f.tlsClientKey)).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' }).toString(),
    );
    const args = ['login', 'tls', '--server', server.urls.https!, '--identity-id', demo(server).materials.tls.identityId, '--cert', f.tlsClientCert, '--key', encrypted, '--ca', f.tlsCa];
    const ok = await cli(args, { GATEHOUSE_KEY_PASSPHRASE: 'open sesame' });
    expect(ok.code).toBe(0);
    expect(ok.out.trim()).toMatch(JWT);
    const wrong = await cli(args, { GATEHOUSE_KEY_PASSPHRASE: 'wrong' });
    expect(wrong).toMatchObject({ code: 2, err: 'error: --key: cannot decrypt the private key (wrong passphrase?)\n' });
  });

  it('hostile bodies get the dialect\'s 4xx, never a 500', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${server.urls.http}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post('/api/v1/auth/alicloud-auth/login', '{"identityId":')).status).toBe(400);
    expect((await post('/api/v1/users/auth/_login', JSON.stringify({ username: 'x', password: 'y', extra: 1 }))).status).toBe(400);
    expect((await post('/api/v1/auth/tls-cert-auth/login', 'x'.repeat(200 * 1024))).status).toBe(413);
    // The Bytebase (Connect) dialect says it its own way: resource_exhausted is HTTP 429.
    const big = await post('/v1/auth/login', 'x'.repeat(200 * 1024));
    expect({ status: big.status, body: await big.json() }).toEqual({ status: 429, body: { code: 'resource_exhausted', message: 'The request body is too large' } });
    expect((await post('/api/v1/auth/oci-auth/login', 'a=b', 'application/x-www-form-urlencoded')).status).toBe(415);
  });
});

describe('graceful shutdown', () => {
  it('a request in flight finishes, new connections are refused, close resolves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-shutdown-'));
    const { config } = resolveConfig({ mode: 'demo', dataDir, store: { driver: 'memory' }, server: { port: 0 }, demo: { idp: false } }, dataDir);
    const server = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env: {}, logDestination: sink(), out: sink() });
    const m = demo(server).materials;
    const sts = demo(server).emulators.sts;
    sts.setFault('slow', { delayMs: 1_500 });
    const body = buildAlicloudLoginBody({ identityId: m.alicloud.identityId, accessKeyId: m.alicloud.accessKeyId, accessKeySecret: m.alicloud.accessKeySecret });
    const inFlight = fetch(`${server.urls.http}/api/v1/auth/alicloud-auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Wait until the login is inside the server, waiting on STS.
    while (sts.calls === 0) await new Promise((r) => setTimeout(r, 20));
    const closing = server.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { accessToken: string }).accessToken).toMatch(JWT);
    await closing;
    expect(await refused(server.urls.http)).toBe(true);
  });
});

describe.runIf(process.env.DATABASE_URL)('on PostgreSQL (DATABASE_URL)', () => {
  it('production mode serves logins from a PostgreSQL store; demo mode refuses that store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-pg-'));
    const schema = `gh_cli_${randomBytes(6).toString('hex')}`;
    const env = { DATABASE_URL: process.env.DATABASE_URL!, GATEHOUSE_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const { config } = resolveConfig(applyEnvOverrides({ store: { schema }, server: { port: 0 } }, env), dataDir);
    expect(config.store.driver).toBe('postgres');
    const server = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env, logDestination: sink(), out: sink() });
    try {
      const { createPasswordUser } = await import('@gatehouse-auth/core/password');
      await createPasswordUser(server.gatehouse.stores, { username: 'pg-user', password: 'pg-password-123' }, { now: new Date(), params: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
      const r = await cli(['login', 'password', '--server', server.urls.http, '--username', 'pg-user', '--password', 'pg-password-123']);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toMatch(JWT);
      const ready = (await (await fetch(`${server.urls.http}/readyz`)).json()) as { checks: { schema: { version: number; expected: number } } };
      expect(ready).toMatchObject({ status: 'ready', mode: 'production', store: { driver: 'postgres' }, checks: { store: { ok: true }, signingKey: { ok: true }, schema: { ok: true } } });
      expect(ready.checks.schema.version).toBe(ready.checks.schema.expected);
      // Production keeps the metrics endpoint off unless configured.
      expect(server.urls.metrics).toBeNull();
      expect((await fetch(`${server.urls.http}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
    const demoConfig = resolveConfig(applyEnvOverrides({ mode: 'demo', store: { schema } }, env), dataDir).config;
    await expect(startServer({ config: demoConfig, path: join(dataDir, 'c.json'), dataDir }, { env, logDestination: sink(), out: sink() })).rejects.toThrow(/refusing to start in demo mode on a PostgreSQL store/);
  });
});
