/**
 * The pipeline's spans and metrics, through real OpenTelemetry SDK parts (in-memory exporters): one trace per
 * login holding the strategy and the store spans; login counters by strategy, outcome and reason code; labels
 * that stay bounded however many usernames and addresses come along.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundHttp } from '../http/outbound.js';
import { instrumentHttp } from './instrument.js';
import { BoundedLabels, Telemetry } from './telemetry.js';
import { createMemoryStores } from '../stores/memory.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

async function collect() {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
}

describe('telemetry', () => {
  it('one trace per login: the request span, the strategy span and the store spans below it', async () => {
    spans.reset();
    const { login } = await harness({ telemetry: { tracerProvider, meterProvider } });
    spans.reset();
    const res = await login({});
    expect(res.status).toBe(200);
    const finished = spans.getFinishedSpans();
    const root = finished.find((s) => s.name === 'gatehouse fake')!;
    expect(root).toBeDefined();
    expect(root.attributes).toMatchObject({ 'gatehouse.endpoint': 'fake', 'gatehouse.request_id': res.headers['x-request-id'], 'http.response.status_code': 200 });
    const traceId = root.spanContext().traceId;
    expect(new Set(finished.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    const names = finished.map((s) => s.name);
    expect(names).toContain('gatehouse.strategy');
    // The login's identity and method come in one read (identities.getWithMethod), then the session is stored.
    expect(names).toEqual(expect.arrayContaining(['gatehouse.store identities.getWithMethod', 'gatehouse.store tokens.createSession']));
    // No argument of any store call is an attribute (ids, tokens, usernames): operation names only.
    for (const s of finished.filter((x) => x.name.startsWith('gatehouse.store'))) expect(Object.keys(s.attributes)).toEqual(['db.operation.name']);
  });

  it('counts logins by strategy, outcome and reason code, and times them', async () => {
    const { login } = await harness({ telemetry: { tracerProvider, meterProvider } });
    await login({});
    await login({ secret: 'wrong-secret' });
    await login({ mode: 'challenge' });
    const metrics = await collect();
    const attempts = metrics.find((m) => m.descriptor.name === 'gatehouse.login.attempts')!;
    const points = attempts.dataPoints.map((p) => ({ ...p.attributes, value: p.value }));
    expect(points).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ 'gatehouse.strategy': 'fake', 'gatehouse.outcome': 'success', 'gatehouse.reason_code': 'none' }),
        expect.objectContaining({ 'gatehouse.strategy': 'fake', 'gatehouse.outcome': 'failure', 'gatehouse.reason_code': 'bad_secret' }),
        expect.objectContaining({ 'gatehouse.strategy': 'fake', 'gatehouse.outcome': 'challenge' }),
      ]),
    );
    expect(metrics.find((m) => m.descriptor.name === 'gatehouse.login.duration')!.dataPoints.length).toBeGreaterThan(0);
    expect(metrics.find((m) => m.descriptor.name === 'gatehouse.tokens.issued')!.dataPoints.length).toBeGreaterThan(0);
    // The signing key's age, from the injected clock: the harness's key was made at its start.
    const age = metrics.find((m) => m.descriptor.name === 'gatehouse.signing_key.age')!;
    expect(age.descriptor.unit).toBe('s');
    expect(age.dataPoints.length).toBeGreaterThan(0);
    expect(Number(age.dataPoints[0]!.value)).toBeGreaterThanOrEqual(0);
  });

  it('the signing key age follows the clock', async () => {
    // A meter of its own: the gauge of this Gatehouse only.
    const ownReader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
    const own = new MeterProvider({ readers: [ownReader] });
    const { login, clock } = await harness({ telemetry: { tracerProvider, meterProvider: own } });
    await login({});
    const ageNow = async () => {
      const { resourceMetrics } = await ownReader.collect();
      const gauge = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gatehouse.signing_key.age')!;
      expect(gauge.dataPoints).toHaveLength(1);
      return Number(gauge.dataPoints[0]!.value);
    };
    const before = await ageNow();
    clock.advance(3_600_000);
    expect((await ageNow()) - before).toBeCloseTo(3600, 0);
    await own.shutdown();
  });

  it('label cardinality stays bounded: 1,000 distinct usernames and client addresses add no label value', async () => {
    const { login, identity } = await harness({ telemetry: { tracerProvider, meterProvider }, rateLimit: { max: 1_000_000, windowMs: 60_000 } });
    const before = await collect();
    const series = (ms: typeof before) => ms.reduce((n, m) => n + m.dataPoints.length, 0);
    const labelValues = (ms: typeof before) => new Set(ms.flatMap((m) => m.dataPoints.flatMap((p) => Object.values(p.attributes).map(String))));
    for (let i = 0; i < 1_000; i++) {
      await login({ identityId: identity.id, name: `user${i}`, secret: `wrong-${i}` }, { socketAddress: `10.${i >> 8}.${i & 255}.1` });
    }
    const after = await collect();
    // The one new series is the failure with its (fixed) reason code; no label carries a name, secret or address.
    expect(series(after) - series(before)).toBeLessThanOrEqual(3);
    const values = [...labelValues(after)];
    expect(values.filter((v) => /user\d|wrong-|10\.\d+\.\d+\.1/.test(v))).toEqual([]);
  });

  it('counts rate-limit refusals by endpoint (a lockout is counted apart, as gatehouse.lockouts)', async () => {
    const own = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [own] });
    const { login } = await harness({ telemetry: { tracerProvider, meterProvider: provider }, rateLimit: { max: 1, windowMs: 60_000 } });
    expect((await login({})).status).toBe(200);
    expect((await login({})).status).toBe(429);
    expect((await login({})).status).toBe(429);
    const { resourceMetrics } = await own.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const limited = metrics.find((m) => m.descriptor.name === 'gatehouse.rate_limited')!;
    expect(limited.dataPoints.map((p) => ({ ...p.attributes, value: p.value }))).toEqual([{ 'gatehouse.endpoint': 'fake', value: 2 }]);
    expect(metrics.find((m) => m.descriptor.name === 'gatehouse.lockouts')?.dataPoints ?? []).toEqual([]);
    await provider.shutdown();
  });

  it('upstream calls: a client span each, duration by strategy and host, errors by type (5xx, network), never the path or query', async () => {
    const own = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [own] });
    const telemetry = new Telemetry({ tracerProvider, meterProvider: provider });
    const upstream = createServer((req, res) => res.writeHead(req.url?.startsWith('/down') ? 503 : 200).end('{}'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((r) => closed.close(r));
    const http = instrumentHttp(createOutboundHttp({ timeoutMs: 2_000 }), telemetry, 'sts-like');
    spans.reset();
    expect((await http.request(`${base}/ok?Signature=secret-sig`)).status).toBe(200);
    expect((await http.request(`${base}/down`, { method: 'POST', body: '{}' })).status).toBe(503);
    await expect(http.request(closedUrl)).rejects.toMatchObject({ reasonCode: 'upstream_network' });
    upstream.close();
    const clientSpans = spans.getFinishedSpans().filter((s) => s.name.startsWith('HTTP '));
    expect(clientSpans.map((s) => [s.name, s.attributes['http.response.status_code']])).toEqual([['HTTP GET', 200], ['HTTP POST', 503], ['HTTP GET', undefined]]);
    expect(JSON.stringify(clientSpans.map((s) => s.attributes))).not.toMatch(/secret-sig|\/ok|\/down/);
    const { resourceMetrics } = await own.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const errors = metrics.find((m) => m.descriptor.name === 'gatehouse.upstream.errors')!.dataPoints.map((p) => ({ ...p.attributes, value: p.value }));
    expect(errors).toEqual(
      expect.arrayContaining([
        { 'gatehouse.strategy': 'sts-like', 'server.address': '127.0.0.1', 'error.type': '503', value: 1 },
        { 'gatehouse.strategy': 'sts-like', 'server.address': '127.0.0.1', 'error.type': 'upstream_network', value: 1 },
      ]),
    );
    const durations = metrics.find((m) => m.descriptor.name === 'gatehouse.upstream.duration')!.dataPoints;
    expect(durations.map((p) => [p.attributes, (p.value as { count: number }).count])).toEqual([[{ 'gatehouse.strategy': 'sts-like', 'server.address': '127.0.0.1' }, 3]]);
    await provider.shutdown();
  });

  it('without an SDK nothing is traced; an SDK registered globally after createGatehouse is picked up on the next login', async () => {
    const { login } = await harness();
    const gh = new Telemetry();
    expect(gh.tracing).toBe(false);
    expect(gh.metering).toBe(false);
    spans.reset();
    expect((await login({})).status).toBe(200);
    expect(spans.getFinishedSpans()).toEqual([]);
    // The no-op check is made per call, against the global proxy's delegate, not once at start-up.
    expect(trace.setGlobalTracerProvider(tracerProvider)).toBe(true);
    try {
      expect(gh.tracing).toBe(true);
      const res = await login({});
      expect(res.status).toBe(200);
      const names = spans.getFinishedSpans().map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['gatehouse fake', 'gatehouse.strategy', 'gatehouse.store tokens.createSession']));
    } finally {
      trace.disable();
    }
  });

  it('enabled: false records nothing whatever providers are given, and leaves the stores unwrapped', async () => {
    spans.reset();
    const stores = createMemoryStores();
    const before = (await collect()).reduce((n, m) => n + m.dataPoints.length, 0);
    const { gh, login } = await harness({ stores, telemetry: { tracerProvider, meterProvider, enabled: false } });
    expect(gh.stores).toBe(stores);
    expect((await login({})).status).toBe(200);
    expect((await login({ secret: 'wrong-secret' })).status).toBe(401);
    expect(spans.getFinishedSpans()).toEqual([]);
    expect((await collect()).reduce((n, m) => n + m.dataPoints.length, 0)).toBe(before);
  });

  it('BoundedLabels turns everything past 64 distinct values into `other`', () => {
    const labels = new BoundedLabels();
    const seen = new Set(Array.from({ length: 500 }, (_, i) => labels.value('reason_code', `reason_${i}`)));
    expect(seen.size).toBe(65);
    expect(seen.has('other')).toBe(true);
    expect(labels.value('reason_code', 'reason_3')).toBe('reason_3');
    expect(labels.value('x', 'a b\u0000c')).toBe('a_b_c');
  });
});
