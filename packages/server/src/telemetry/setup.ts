/**
 * The OpenTelemetry SDK of the server, from its config: the Prometheus exporter (pull; its text served by our
 * own listeners, never the exporter's own server), OTLP/HTTP export of metrics and traces when an endpoint is
 * configured, and the AsyncLocalStorage context manager so spans nest across awaits. The packages below (core,
 * strategies) only ever talk to `@opentelemetry/api`: this is the one place an SDK is chosen, and it is handed
 * to `createGatehouse` (not registered globally), so two servers in one process do not share instruments.
 *
 * The SDK packages are optional peer dependencies, imported only when telemetry is configured: they weigh about
 * 25 MB on disk, which every production install would otherwise carry (docs/decisions/0013). When one is
 * missing, the error names every package to install. Versions: the SDK 2.x line (exporters 0.2xx), which runs
 * on every Node this project supports.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type MeterProvider as ApiMeterProvider, type TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import type { GatehouseConfig } from '../config/schema.js';
import { configError } from '../errors.js';

export interface ServerTelemetry {
  meterProvider: ApiMeterProvider | undefined;
  tracerProvider: ApiTracerProvider | undefined;
  /** Answers a scrape in the Prometheus text format; null when Prometheus is off. */
  prometheus: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

/**
 * For tests and embedders: more readers and span processors next to the configured ones — `MetricReader`s of
 * `@opentelemetry/sdk-metrics` and `SpanProcessor`s of `@opentelemetry/sdk-trace-base` (typed loosely so this
 * package's types do not require the optional SDK).
 */
export interface TelemetryExtras {
  metricReaders?: object[];
  spanProcessors?: object[];
}

/** The SDK packages and the ranges this server is built against (also its optional peer dependencies). */
export const TELEMETRY_SDK_PACKAGES = {
  '@opentelemetry/resources': '^2.12.0',
  '@opentelemetry/sdk-metrics': '^2.12.0',
  '@opentelemetry/exporter-prometheus': '^0.223.0',
  '@opentelemetry/sdk-trace-base': '^2.12.0',
  '@opentelemetry/context-async-hooks': '^2.12.0',
  '@opentelemetry/exporter-metrics-otlp-http': '^0.223.0',
  '@opentelemetry/exporter-trace-otlp-http': '^0.223.0',
} as const;
type SdkPackage = keyof typeof TELEMETRY_SDK_PACKAGES;

let contextManagerSet = false;

export function prometheusEnabled(config: GatehouseConfig): boolean {
  return config.telemetry.prometheus.enabled ?? config.mode === 'demo';
}

const OFF: ServerTelemetry = { meterProvider: undefined, tracerProvider: undefined, prometheus: null, shutdown: async () => {} };

/** Imports what the config needs, all at once so a missing package is reported with every other one. */
async function importSdk<P extends SdkPackage>(needed: P[]): Promise<Record<P, Record<string, unknown>>> {
  const results = await Promise.allSettled(needed.map((name) => import(name) as Promise<Record<string, unknown>>));
  const missing = needed.filter((name, i) => {
    const r = results[i]!;
    if (r.status === 'fulfilled') return false;
    const code = (r.reason as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((r.reason as Error).message).includes(name)) return true;
    throw r.reason;
  });
  if (missing.length) {
    throw configError(
      `telemetry needs the OpenTelemetry SDK packages ${missing.join(', ')}, which are not installed (they are optional: ` +
        `production installs without telemetry do not carry them): npm install ${missing.map((m) => `${m}@${TELEMETRY_SDK_PACKAGES[m]}`).join(' ')}`,
    );
  }
  return Object.fromEntries(needed.map((name, i) => [name, (results[i] as PromiseFulfilledResult<Record<string, unknown>>).value])) as Record<P, Record<string, unknown>>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK is imported dynamically: its classes are `any` here, their use is covered by the tests */
export async function setupTelemetry(config: GatehouseConfig, version: string, extras: TelemetryExtras = {}): Promise<ServerTelemetry> {
  const t = config.telemetry;
  const prometheusOn = prometheusEnabled(config);
  const otlpOn = t.otlp.endpoint !== undefined;
  const metricsOn = prometheusOn || otlpOn || (extras.metricReaders?.length ?? 0) > 0;
  const tracesOn = otlpOn || (extras.spanProcessors?.length ?? 0) > 0;
  if (!metricsOn && !tracesOn) return OFF;

  const needed: SdkPackage[] = ['@opentelemetry/resources'];
  if (metricsOn) needed.push('@opentelemetry/sdk-metrics');
  if (prometheusOn) needed.push('@opentelemetry/exporter-prometheus');
  if (tracesOn) needed.push('@opentelemetry/sdk-trace-base', '@opentelemetry/context-async-hooks');
  if (otlpOn) needed.push('@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-trace-otlp-http');
  const sdk = await importSdk(needed) as Record<SdkPackage, any>;

  const resource = sdk['@opentelemetry/resources'].resourceFromAttributes({ 'service.name': t.serviceName, 'service.version': version, 'deployment.environment.name': config.mode });
  const otlpUrl = (signal: string) => new URL(`v1/${signal}`, t.otlp.endpoint!.endsWith('/') ? t.otlp.endpoint : `${t.otlp.endpoint}/`).href;

  let meterProvider: any;
  let prometheus: any = null;
  if (metricsOn) {
    const metricsSdk = sdk['@opentelemetry/sdk-metrics'];
    const readers: unknown[] = [...(extras.metricReaders ?? [])];
    if (prometheusOn) {
      prometheus = new (sdk['@opentelemetry/exporter-prometheus'].PrometheusExporter)({ preventServerStart: true });
      readers.push(prometheus);
    }
    if (otlpOn) {
      const exporter = new (sdk['@opentelemetry/exporter-metrics-otlp-http'].OTLPMetricExporter)({ url: otlpUrl('metrics'), headers: t.otlp.headers, timeoutMillis: t.otlp.timeoutMs });
      readers.push(new metricsSdk.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: t.otlp.metricIntervalMs, exportTimeoutMillis: Math.min(t.otlp.timeoutMs, t.otlp.metricIntervalMs) }));
    }
    meterProvider = new metricsSdk.MeterProvider({ resource, readers });
  }

  let tracerProvider: any;
  if (tracesOn) {
    const traceSdk = sdk['@opentelemetry/sdk-trace-base'];
    const processors: unknown[] = [...(extras.spanProcessors ?? [])];
    if (otlpOn) {
      const exporter = new (sdk['@opentelemetry/exporter-trace-otlp-http'].OTLPTraceExporter)({ url: otlpUrl('traces'), headers: t.otlp.headers, timeoutMillis: t.otlp.timeoutMs });
      processors.push(new traceSdk.BatchSpanProcessor(exporter));
    }
    tracerProvider = new traceSdk.BasicTracerProvider({
      resource,
      spanProcessors: processors,
      sampler: new traceSdk.ParentBasedSampler({ root: new traceSdk.TraceIdRatioBasedSampler(t.traceSampleRatio) }),
    });
    // Spans nest across awaits only with a context manager; there is one per process, set once. An
    // application that registered its own keeps it (setGlobalContextManager refuses to replace one).
    if (!contextManagerSet) {
      contextManagerSet = context.setGlobalContextManager(new (sdk['@opentelemetry/context-async-hooks'].AsyncLocalStorageContextManager)().enable());
    }
  }

  return {
    meterProvider,
    tracerProvider,
    prometheus: prometheus ? (req, res) => prometheus.getMetricsRequestHandler(req, res) : null,
    async shutdown() {
      await Promise.allSettled([meterProvider?.shutdown(), tracerProvider?.shutdown()]);
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
