/**
 * OpenTelemetry, through `@opentelemetry/api` only: spans for the pipeline stages, the strategy, each
 * upstream call and each store call; metrics for logins, upstreams, lockouts, rate limits, tokens and the
 * signing key's age. Without an SDK registered the API's no-op providers make all of it near free; an
 * application (or `@gatehouse-auth/server`) registers one to export.
 *
 * Labels are bounded by construction: strategy and endpoint ids, outcomes and reason codes are ours; hosts
 * come from configuration. `boundedLabel` guards the two that could grow (reason codes, upstream hosts): past
 * a fixed number of distinct values a label reads `other`. No secret, token, username or address is ever a
 * label or a span attribute.
 */
import {
  createNoopMeter,
  metrics as metricsApi,
  ProxyTracerProvider,
  trace as traceApi,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

export const INSTRUMENTATION_SCOPE = '@gatehouse-auth/core';

export interface TelemetryOptions {
  /** Default: the global provider (`@opentelemetry/api`'s, a no-op until an SDK registers one). */
  tracerProvider?: TracerProvider;
  /** Default: the global provider at `createGatehouse` time. */
  meterProvider?: MeterProvider;
  /**
   * `false`: no span and no metric at all, whatever is registered (stores and outbound calls are not even
   * wrapped). Default `true`. Without an SDK the API's no-ops already cost next to nothing (docs/benchmarks.md).
   */
  enabled?: boolean;
}

/** Seconds: OpenTelemetry's HTTP duration buckets (the SDK's default ones are for milliseconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/**
 * What the global tracer provider delegates to until an SDK registers one. `trace.getTracerProvider()` is a proxy
 * whose delegate is this until then; comparing with it is how the no-op case is recognised, per call, so an SDK
 * registered after `createGatehouse` is picked up as the proxy itself picks it up.
 */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
const NOOP_METER = createNoopMeter();
/** The span handed to `span()` callbacks while nothing records: every method a no-op. */
const NON_RECORDING_SPAN = traceApi.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Distinct values per label before the rest read `other`: a label can never grow without bound. */
const MAX_LABEL_VALUES = 64;

export class BoundedLabels {
  readonly #seen = new Map<string, Set<string>>();

  value(label: string, raw: string): string {
    const clean = raw.replace(/[^a-z0-9_.:-]/gi, '_').slice(0, 64);
    let seen = this.#seen.get(label);
    if (!seen) this.#seen.set(label, (seen = new Set()));
    if (seen.has(clean)) return clean;
    if (seen.size >= MAX_LABEL_VALUES) return 'other';
    seen.add(clean);
    return clean;
  }
}

export type LoginOutcome = 'success' | 'challenge' | 'redirect' | 'failure';

/** The instruments, created once per Gatehouse from its meter. */
export class Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly labels = new BoundedLabels();
  readonly loginAttempts: Counter;
  readonly loginDuration: Histogram;
  readonly upstreamDuration: Histogram;
  readonly upstreamErrors: Counter;
  readonly lockouts: Counter;
  readonly rateLimited: Counter;
  readonly tokensIssued: Counter;
  readonly tokensVerified: Counter;
  readonly tokensRevoked: Counter;

  /** False only with `enabled: false`: then nothing is wrapped or recorded. */
  readonly enabled: boolean;
  /** True when the metric instruments record (a real meter); false for the API's no-op meter or `enabled: false`. */
  readonly metering: boolean;
  readonly #tracerProvider: TracerProvider;

  constructor(options: TelemetryOptions = {}) {
    this.enabled = options.enabled !== false;
    this.#tracerProvider = this.enabled ? (options.tracerProvider ?? traceApi.getTracerProvider()) : NOOP_TRACER_PROVIDER;
    this.tracer = this.#tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
    this.meter = this.enabled ? (options.meterProvider ?? metricsApi.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE) : NOOP_METER;
    this.metering = this.meter !== NOOP_METER;
    const m = this.meter;
    this.loginAttempts = m.createCounter('gatehouse.login.attempts', { description: 'Login attempts by strategy, outcome and reason code' });
    this.loginDuration = m.createHistogram('gatehouse.login.duration', { description: 'Login duration by strategy and outcome', unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    this.upstreamDuration = m.createHistogram('gatehouse.upstream.duration', { description: 'Outbound call duration (STS, OCI, IdP…) by strategy and host', unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    this.upstreamErrors = m.createCounter('gatehouse.upstream.errors', { description: 'Outbound calls that failed (network, timeout, size cap, 5xx) by strategy, host and error type' });
    this.lockouts = m.createCounter('gatehouse.lockouts', { description: 'Logins refused by a lockout (password or MFA failures) by strategy and reason code' });
    this.rateLimited = m.createCounter('gatehouse.rate_limited', { description: 'Requests refused by the per-address rate limit by endpoint' });
    this.tokensIssued = m.createCounter('gatehouse.tokens.issued', { description: 'Access tokens issued (logins and renewals) by auth method' });
    this.tokensVerified = m.createCounter('gatehouse.tokens.verified', { description: 'Access token verifications by result' });
    this.tokensRevoked = m.createCounter('gatehouse.tokens.revoked', { description: 'Access tokens (sessions) revoked' });
  }

  /** `gatehouse.signing_key.age`: seconds since the key that signs now was created (alert when rotation stalls). */
  observeSigningKeyAge(age: () => number | undefined): void {
    this.meter
      .createObservableGauge('gatehouse.signing_key.age', { description: 'Age of the key that signs new tokens', unit: 's' })
      .addCallback((result) => {
        const seconds = age();
        if (seconds !== undefined) result.observe(seconds);
      });
  }

  /**
   * True when spans may be recorded: a tracer provider other than the API's no-op. Checked on every call (a
   * pointer comparison), so the hot paths skip span bookkeeping entirely until an SDK is registered.
   */
  get tracing(): boolean {
    const provider = this.#tracerProvider as TracerProvider & { getDelegate?: () => TracerProvider };
    if (provider === NOOP_TRACER_PROVIDER) return false;
    return typeof provider.getDelegate !== 'function' || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
  }

  /**
   * Runs `fn` in a new active span, ending it with the outcome; errors are recorded by type only (never their
   * message). While nothing records (`tracing` false) `fn` runs directly with a non-recording span: the no-op
   * tracer would only re-wrap the active span context, which `fn` sees unchanged either way.
   */
  span<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
    if (!this.tracing) {
      try {
        return Promise.resolve(fn(NON_RECORDING_SPAN));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    return this.tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', errorType(err));
        throw err;
      } finally {
        span.end();
      }
    });
  }
}

/** `error.type`: the reason code of an AuthError, else the error's class name. Never the message. */
export function errorType(err: unknown): string {
  const reasonCode = (err as { reasonCode?: unknown } | null)?.reasonCode;
  if (typeof reasonCode === 'string') return reasonCode.slice(0, 64);
  return err instanceof Error ? err.name.slice(0, 64) : typeof err;
}

export { SpanKind, SpanStatusCode };
