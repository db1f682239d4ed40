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
