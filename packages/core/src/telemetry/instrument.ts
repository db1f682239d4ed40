/** Spans (and upstream metrics) around the store ports and the outbound HTTP client, wrapped once at start-up. */
import type { OutboundHttp } from '../http/outbound.js';
import type { Stores } from '../stores/ports.js';
import { SpanKind, errorType, type Telemetry } from './telemetry.js';

const PORTS = ['identities', 'users', 'tokens', 'replay', 'limiter', 'keys', 'adminCredentials'] as const;

/** Methods and other members along the prototype chain, by descriptor: nothing is invoked to find out. */
function members(obj: object): { methods: string[]; accessors: string[] } {
  const methods = new Set<string>();
  const accessors = new Set<string>();
  for (let p: object | null = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (name === 'constructor' || methods.has(name) || accessors.has(name)) continue;
      if (typeof d.value === 'function') methods.add(name);
      else accessors.add(name); // getters and data fields alike are read from the real port
    }
  }
  return { methods: [...methods], accessors: [...accessors] };
}

const instrumented = new WeakSet<Stores>();

/** The same stores, every port method in a `gatehouse.store <port>.<method>` span (operation names only: no arguments). */
export function instrumentStores(stores: Stores, telemetry: Telemetry): Stores {
  // Stores handed from one Gatehouse to another are wrapped once; with telemetry off, not at all.
  if (instrumented.has(stores) || !telemetry.enabled) return stores;
  const wrapped: Stores = { ...stores };
  for (const portName of PORTS) {
    const port = stores[portName] as unknown as Record<string, (...args: unknown[]) => unknown> | undefined;
    // A store written before a port existed (plain JavaScript) simply has none to wrap.
    if (!port) continue;
    const proxy: Record<string, unknown> = {};
    const { methods, accessors } = members(port);
    for (const method of methods) {
      const name = `gatehouse.store ${portName}.${method}`;
      const attributes = { 'db.operation.name': `${portName}.${method}` };
      // Until an SDK records, the call goes straight to the port: no span bookkeeping, no extra promise.
      proxy[method] = (...args: unknown[]) =>
        telemetry.tracing ? telemetry.span(name, attributes, async () => port[method]!.apply(port, args), SpanKind.CLIENT) : port[method]!.apply(port, args);
    }
    // Getters run on the real port (private fields), not on the wrapper.
    for (const name of accessors) Object.defineProperty(proxy, name, { get: () => port[name], enumerable: true });
    Object.setPrototypeOf(proxy, Object.getPrototypeOf(port) as object);
    (wrapped as unknown as Record<string, unknown>)[portName] = proxy;
  }
  instrumented.add(wrapped);
  return wrapped;
}

/**
 * The outbound client as one strategy uses it: each call in an `HTTP <method>` client span, and its duration and
 * failures counted by strategy and host (`server.address`, bounded). Built once per strategy, not per request.
 */
export function instrumentHttp(http: OutboundHttp, telemetry: Telemetry, strategy: string): OutboundHttp {
  if (!telemetry.enabled) return http;
  return {
    request(url, init) {
      if (!telemetry.tracing && !telemetry.metering) return http.request(url, init);
      const target = new URL(url);
      const host = telemetry.labels.value('server.address', target.hostname);
      const started = performance.now();
      return telemetry.span(
        `HTTP ${init?.method ?? 'GET'}`,
        { 'http.request.method': init?.method ?? 'GET', 'server.address': host, 'gatehouse.strategy': strategy },
        async (span) => {
          const labels = { 'gatehouse.strategy': strategy, 'server.address': host };
          try {
            const res = await http.request(target, init);
            span.setAttribute('http.response.status_code', res.status);
            if (res.status >= 500) telemetry.upstreamErrors.add(1, { ...labels, 'error.type': String(res.status) });
            return res;
          } catch (err) {
            telemetry.upstreamErrors.add(1, { ...labels, 'error.type': telemetry.labels.value('error.type', errorType(err)) });
            throw err;
          } finally {
            telemetry.upstreamDuration.record((performance.now() - started) / 1000, labels);
          }
        },
        SpanKind.CLIENT,
      );
    },
    close: () => http.close(),
  };
}
