/**
 * The OpenTelemetry SDK of the server, from its config: the Prometheus exporter (pull; its text served by our
 * own listener, never the exporter's own server), OTLP/HTTP export of metrics and traces when an endpoint is
 * configured, and the AsyncLocalStorage context manager so spans nest across awaits. The packages below (core,
 * strategies) only ever talk to `@opentelemetry/api`: this is the one place an SDK is chosen, and it is handed
 * to `createGatehouse` (not registered globally), so two servers in one process do not share instruments.
 *
 * Versions: the SDK 2.x line (exporters 0.2xx), which runs on every Node this project supports.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type MeterProvider as ApiMeterProvider, type TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { GatehouseConfig } from '../config/schema.js';

export interface ServerTelemetry {
  meterProvider: ApiMeterProvider | undefined;
  tracerProvider: ApiTracerProvider | undefined;
  /** Answers a scrape in the Prometheus text format; null when Prometheus is off. */
  prometheus: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

/** For tests and embedders: more readers and span processors next to the configured ones. */
export interface TelemetryExtras {
  metricReaders?: IMetricReader[];
  spanProcessors?: SpanProcessor[];
}

let contextManagerSet = false;

export function prometheusEnabled(config: GatehouseConfig): boolean {
  return config.telemetry.prometheus.enabled ?? config.mode === 'demo';
}

export function setupTelemetry(config: GatehouseConfig, version: string, extras: TelemetryExtras = {}): ServerTelemetry {
  const t = config.telemetry;
  const resource = resourceFromAttributes({ 'service.name': t.serviceName, 'service.version': version, 'deployment.environment.name': config.mode });
  const otlpUrl = (signal: string) => new URL(`v1/${signal}`, t.otlp.endpoint!.endsWith('/') ? t.otlp.endpoint : `${t.otlp.endpoint}/`).href;

  const readers: IMetricReader[] = [...(extras.metricReaders ?? [])];
  const prometheus = prometheusEnabled(config) ? new PrometheusExporter({ preventServerStart: true }) : null;
  if (prometheus) readers.push(prometheus);
  if (t.otlp.endpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: otlpUrl('metrics'), headers: t.otlp.headers, timeoutMillis: t.otlp.timeoutMs }),
        exportIntervalMillis: t.otlp.metricIntervalMs,
        exportTimeoutMillis: Math.min(t.otlp.timeoutMs, t.otlp.metricIntervalMs),
      }),
    );
  }
  const meterProvider = readers.length ? new MeterProvider({ resource, readers }) : undefined;

  const processors: SpanProcessor[] = [...(extras.spanProcessors ?? [])];
  if (t.otlp.endpoint) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl('traces'), headers: t.otlp.headers, timeoutMillis: t.otlp.timeoutMs })));
  }
  let tracerProvider: BasicTracerProvider | undefined;
  if (processors.length) {
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: processors,
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(t.traceSampleRatio) }),
    });
    // Spans nest across awaits only with a context manager; there is one per process, set once. An
    // application that registered its own keeps it (setGlobalContextManager refuses to replace one).
    if (!contextManagerSet) {
      contextManagerSet = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
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
