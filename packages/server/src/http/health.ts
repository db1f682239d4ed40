/**
 * Liveness and readiness, apart (Kubernetes probes, load balancers):
 * - `GET /healthz`: the process is alive and serving. 200 whatever the database does — restarting an instance
 *   because PostgreSQL is down would not bring PostgreSQL back.
 * - `GET /readyz`: this instance can serve logins: the store answers, a signing key is loaded, the database
 *   schema is the one this code writes. 503 naming the failed check otherwise, and while shutting down.
 */
import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  name: string;
  /**
   * Throws (or rejects) when not ready; may return details for the response. The response names a thrown
   * `NotReady`'s reason; any other error's message goes to the log only (it may name hosts or users).
   */
  run(): Promise<Record<string, unknown> | void>;
}

/** A failed check with a public reason (e.g. `schema_newer`) and public details. */
export class NotReady extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const CHECK_TIMEOUT_MS = 3_000;

export interface HealthOptions {
  mode: 'production' | 'demo';
  storeDriver: string;
  version: string;
  checks: ReadinessCheck[];
  draining: () => boolean;
}

interface CheckResult {
  ok: boolean;
  detail?: Record<string, unknown>;
  /** Public: a reason code. */
  reason?: string;
  /** Log only. */
  message?: string;
}

async function runCheck(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      check.run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NotReady('timed_out', `${check.name} check timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ...(detail ? { detail } : {}) };
  } catch (err) {
    if (err instanceof NotReady) return { ok: false, reason: err.reason, detail: err.detail, message: err.message };
    return { ok: false, reason: 'failed', message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealth(app: FastifyInstance, opts: HealthOptions) {
  const startedAt = Date.now();
  const identity = () => ({
    mode: opts.mode,
    ...(opts.mode === 'demo' ? { warning: 'demo mode: emulated upstreams and public demo credentials; not for production' } : {}),
    version: opts.version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  });

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok', ...identity() }));

  app.get('/readyz', async (request, reply) => {
    const results = await Promise.all(opts.checks.map(async (c) => [c.name, await runCheck(c)] as const));
    const checks: Record<string, unknown> = {};
    let ready = !opts.draining();
    for (const [name, r] of results) {
      checks[name] = { ok: r.ok, ...r.detail, ...(r.reason ? { reason: r.reason } : {}) };
      if (!r.ok) {
        ready = false;
        request.log.warn({ check: name, reason: r.reason, err: { message: r.message } }, 'readiness check failed');
      }
    }
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ready ? 'ready' : opts.draining() ? 'shutting_down' : 'unavailable',
        ...identity(),
        store: { driver: opts.storeDriver },
        checks,
      });
  });
}
