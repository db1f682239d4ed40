/**
 * The server's OpenTelemetry wiring, as `gatehouse serve` runs it (production mode, config file options): one
 * successful and one failed login per strategy against real upstream emulators, then a scrape of the Prometheus
 * endpoint on its own listener finds the counters by strategy and outcome, and an in-memory span exporter next
 * to the configured ones sees one trace per login holding its upstream and store spans.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { buildAlicloudLoginBody, buildOciLoginBody } from '@gatehouse-auth/client';
import { createCa, type CertificateAuthority } from '@gatehouse-auth/testing/certs';
import { createOciIdentityEmulator, createOciTestUser, type OciIdentityEmulator, type OciTestUser } from '@gatehouse-auth/testing/oci';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { startServer, type RunningServer } from '../src/start-server.js';

const CHEAP_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const OCI_HOST = 'identity.us-ashburn-1.oraclecloud.com';
const ARN = 'acs:ram::1234567890123456:user/metrics';
const ACCESS_KEY = 'LTAImetrics0000000000000';
const PASSWORD = `metrics-${randomBytes(12).toString('hex')}`;
const stsSecret = randomBytes(20).toString('base64url');

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const spans = new InMemorySpanExporter();

let sts: StsEmulator;
let oci: OciIdentityEmulator;
let ociUser: OciTestUser;
let ca: CertificateAuthority;
let server: RunningServer;

interface Attempt {
  strategy: string;
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  /** Calls an upstream (STS, OCI Identity). */
  upstream: boolean;
}
let attempts: Attempt[] = [];

beforeAll(async () => {
  sts = await createStsEmulator({ accessKeys: [{ id: ACCESS_KEY, secret: stsSecret, arn: ARN, accountId: '1234567890123456', principalId: '1', identityType: 'RAMUser' }] });
  ociUser = createOciTestUser({ name: 'metrics' });
  oci = await createOciIdentityEmulator({ users: [ociUser] });
  ca = await createCa({ commonName: 'Metrics CA' });
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-telemetry-'));
  const { config } = resolveConfig(
    {
      store: { driver: 'memory' },
      server: { port: 0, rateLimit: { enabled: false } },
      tokens: { introspectionOpen: true },
      log: { level: 'silent' },
      telemetry: { serviceName: 'gatehouse-test', prometheus: { enabled: true, port: 0 } },
      strategies: {
        alicloud: { stsEndpoints: { global: sts.url } },
        oci: { relayOverride: { origins: { [OCI_HOST]: oci.url } } },
        tlsCert: { certificateHeader: 'x-client-cert', trustedProxies: ['127.0.0.1/32'] },
      },
    },
    dataDir,
  );
  server = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env: {}, out: sink(), logDestination: sink(), telemetry: { spanProcessors: [new SimpleSpanProcessor(spans)] } });

  const admin = server.gatehouse.admin;
  const identity = async (method: string, config: unknown) => {
    const created = await admin.createIdentity({ name: `metrics-${method}` });
    await admin.attachMethod(created.id, method, config);
    return created.id;
  };
  const aliId = await identity('alicloud', { allowedArns: [ARN] });
  const ociId = await identity('oci', { tenancyOcid: ociUser.tenancyId });
  const tlsId = await identity('tls-cert', { caCertificates: [ca.certPem], allowedCommonNames: ['metrics-client'] });
  const good = await ca.issue({ commonName: 'metrics-client', extKeyUsage: ['clientAuth'] });
  const stranger = await ca.issue({ commonName: 'someone-else', extKeyUsage: ['clientAuth'] });
  await createPasswordUser(server.gatehouse.stores, { username: 'operator', email: 'ops@example.com', password: PASSWORD }, { now: new Date(), params: CHEAP_ARGON2 });
  const unknownOciUser = createOciTestUser({ name: 'not-registered', tenancyId: ociUser.tenancyId });
  const ociBody = (user: OciTestUser, secondsAgo: number) =>
    buildOciLoginBody({ identityId: ociId, userOcid: user.id, tenancyOcid: user.tenancyId, fingerprint: user.fingerprint, privateKeyPem: user.privateKeyPem, region: 'us-ashburn-1', now: new Date(Date.now() - secondsAgo * 1000) });
  attempts = [
    { strategy: 'alicloud', path: '/api/v1/auth/alicloud-auth/login', body: buildAlicloudLoginBody({ identityId: aliId, accessKeyId: ACCESS_KEY, accessKeySecret: stsSecret }), status: 200, upstream: true },
    // Signed with the wrong secret: STS refuses the signature.
    { strategy: 'alicloud', path: '/api/v1/auth/alicloud-auth/login', body: buildAlicloudLoginBody({ identityId: aliId, accessKeyId: ACCESS_KEY, accessKeySecret: 'wrong-secret-wrong-secret' }), status: 401, upstream: true },
    { strategy: 'oci', path: '/api/v1/auth/oci-auth/login', body: await ociBody(ociUser, 0), status: 200, upstream: true },
    // A key OCI Identity does not know.
    { strategy: 'oci', path: '/api/v1/auth/oci-auth/login', body: await ociBody(unknownOciUser, 1), status: 401, upstream: true },
    { strategy: 'tls-cert', path: '/api/v1/auth/tls-cert-auth/login', body: { identityId: tlsId }, headers: { 'x-client-cert': encodeURIComponent(good.chainPem) }, status: 200, upstream: false },
    { strategy: 'tls-cert', path: '/api/v1/auth/tls-cert-auth/login', body: { identityId: tlsId }, headers: { 'x-client-cert': encodeURIComponent(stranger.chainPem) }, status: 403, upstream: false },
    { strategy: 'ece-password', path: '/api/v1/users/auth/_login', body: { username: 'operator', password: PASSWORD }, status: 200, upstream: false },
    { strategy: 'ece-password', path: '/api/v1/users/auth/_login', body: { username: 'operator', password: 'not-the-password' }, status: 401, upstream: false },
    { strategy: 'idp-mfa', path: '/v1/auth/login', body: { email: 'ops@example.com', password: PASSWORD }, status: 200, upstream: false },
    { strategy: 'idp-mfa', path: '/v1/auth/login', body: { email: 'ops@example.com', password: 'not-the-password' }, status: 401, upstream: false },
  ];
}, 120_000);

afterAll(async () => {
  await server?.close();
  await sts?.close();
  await oci?.close();
});

async function login(a: Attempt) {
  const res = await fetch(`${server.urls.http}${a.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...a.headers }, body: JSON.stringify(a.body) });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id')! };
}

/** `name{a="1",b="2"} 3` lines of the Prometheus text format, parsed. */
function samples(text: string) {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)/.exec(l)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

describe('telemetry from the server config', () => {
  it('one trace per login with its upstream and store spans; /metrics counts every login by strategy and outcome', { timeout: 120_000 }, async () => {
    const traces: { attempt: Attempt; trace: ReadableSpan[] }[] = [];
    for (const attempt of attempts) {
      spans.reset();
      const { status, requestId } = await login(attempt);
      expect({ strategy: attempt.strategy, status }).toEqual({ strategy: attempt.strategy, status: attempt.status });
      const finished = spans.getFinishedSpans();
      const roots = finished.filter((s) => s.attributes['gatehouse.request_id'] === requestId);
      expect(roots).toHaveLength(1);
      const traceId = roots[0]!.spanContext().traceId;
      // Everything this login did is in its one trace.
      expect(new Set(finished.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
      traces.push({ attempt, trace: finished });
    }
    for (const { attempt, trace } of traces) {
      const names = trace.map((s) => s.name);
      expect(names, attempt.strategy).toContain('gatehouse.strategy');
      expect(names.some((n) => n.startsWith('gatehouse.store ')), attempt.strategy).toBe(true);
      const upstream = trace.filter((s) => s.name.startsWith('HTTP '));
      if (attempt.upstream) {
        expect(upstream.length, attempt.strategy).toBeGreaterThan(0);
        expect(upstream[0]!.attributes).toMatchObject({ 'gatehouse.strategy': attempt.strategy, 'server.address': '127.0.0.1', 'http.response.status_code': expect.any(Number) });
      } else {
        expect(upstream, attempt.strategy).toEqual([]);
      }
      // The service is named from the config.
      expect(trace[0]!.resource.attributes['service.name']).toBe('gatehouse-test');
    }

    const scrape = await fetch(server.urls.metrics!);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const all = samples(await scrape.text());
    const loginCount = (strategy: string, outcome: string) =>
      all.filter((s) => s.name === 'gatehouse_login_attempts_total' && s.labels.gatehouse_strategy === strategy && s.labels.gatehouse_outcome === outcome).reduce((n, s) => n + s.value, 0);
    for (const strategy of ['alicloud', 'oci', 'tls-cert', 'ece-password', 'idp-mfa']) {
      expect({ strategy, success: loginCount(strategy, 'success'), failure: loginCount(strategy, 'failure') }).toEqual({ strategy, success: 1, failure: 1 });
    }
    // Failures carry their reason code.
    expect(all.some((s) => s.name === 'gatehouse_login_attempts_total' && s.labels.gatehouse_strategy === 'ece-password' && s.labels.gatehouse_outcome === 'failure' && s.labels.gatehouse_reason_code !== 'none')).toBe(true);
    expect(all.filter((s) => s.name === 'gatehouse_upstream_duration_count' && ['alicloud', 'oci'].includes(s.labels.gatehouse_strategy!)).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((s) => s.name === 'gatehouse_tokens_issued_total').reduce((n, s) => n + s.value, 0)).toBe(5);
    expect(all.some((s) => s.name === 'gatehouse_signing_key_age')).toBe(true);
    // Durations in seconds, with buckets made for seconds (the SDK's defaults are for milliseconds).
    const buckets = all.filter((s) => s.name === 'gatehouse_login_duration_bucket').map((s) => s.labels.le);
    expect(buckets).toContain('0.05');
    // No secret, username, token or address in any label.
    const labelText = JSON.stringify(all.map((s) => s.labels));
    for (const secret of [PASSWORD, stsSecret, 'operator', 'ops@example.com', 'not-the-password', ACCESS_KEY]) expect(labelText).not.toContain(secret);
  });

  it('lockouts are counted by strategy and reason code, never with the username', { timeout: 60_000 }, async () => {
    await createPasswordUser(server.gatehouse.stores, { username: 'victim', password: PASSWORD }, { now: new Date(), params: CHEAP_ARGON2 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${server.urls.http}/api/v1/users/auth/_login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'victim', password: `wrong-${i}` }) });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    const all = samples(await (await fetch(server.urls.metrics!)).text());
    const lockouts = all.filter((s) => s.name === 'gatehouse_lockouts_total');
    expect(lockouts.map((s) => ({ ...s.labels, otel_scope_name: undefined, value: s.value }))).toEqual([
      { gatehouse_strategy: 'ece-password', gatehouse_reason_code: 'account_locked', otel_scope_name: undefined, value: statuses.filter((x) => x === 429).length },
    ]);
    expect(JSON.stringify(all.map((s) => s.labels))).not.toContain('victim');
  });

  it('the scrape endpoint lives on its own listener when given a port: the main listener does not serve it', async () => {
    expect(new URL(server.urls.metrics!).port).not.toBe(new URL(server.urls.http).port);
    expect((await fetch(`${server.urls.http}/metrics`)).status).toBe(404);
    expect((await fetch(new URL('/other', server.urls.metrics!))).status).toBe(404);
  });

  it('/readyz names its checks: store, signing key (memory store: no schema check)', async () => {
    const res = await fetch(`${server.urls.http}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true }, signingKey: { ok: true, kid: expect.any(String) } } });
  });

  it('OTLP: traces and metrics are pushed to the configured collector, with its headers; shutdown flushes them', { timeout: 60_000 }, async () => {
    const received: { path: string; contentType: string; apiKey: string; bytes: number }[] = [];
    const collector = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), apiKey: String(req.headers['x-api-key']), bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-otlp-'));
    const { config } = resolveConfig(
      { store: { driver: 'memory' }, server: { port: 0 }, tokens: { introspectionOpen: true }, log: { level: 'silent' }, telemetry: { otlp: { endpoint, headers: { 'x-api-key': 'collector-key' } } } },
      dataDir,
    );
    const pushing = await startServer({ config, path: join(dataDir, 'c.json'), dataDir }, { env: {}, out: sink(), logDestination: sink() });
    try {
      // No Prometheus in production unless asked.
      expect(pushing.urls.metrics).toBeNull();
      await createPasswordUser(pushing.gatehouse.stores, { username: 'otlp', password: PASSWORD }, { now: new Date(), params: CHEAP_ARGON2 });
      const res = await fetch(`${pushing.urls.http}/api/v1/users/auth/_login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'otlp', password: PASSWORD }) });
      expect(res.status).toBe(200);
    } finally {
      await pushing.close();
      await new Promise((r) => collector.close(r));
    }
    expect(received.map((r) => r.path).sort()).toEqual(expect.arrayContaining(['/v1/metrics', '/v1/traces']));
    for (const r of received) expect(r).toMatchObject({ apiKey: 'collector-key', bytes: expect.any(Number) });
    expect(received.every((r) => r.bytes > 0)).toBe(true);
  });
});
