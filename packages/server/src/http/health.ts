/** `GET /healthz`: 200 when the store answers, 503 otherwise; always says which mode the server runs in. */
import type { FastifyInstance } from 'fastify';

export type HealthCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 3_000;

export function registerHealth(app: FastifyInstance, opts: { mode: 'production' | 'demo'; storeDriver: string; check: HealthCheck; version: string }) {
  const startedAt = Date.now();
  app.get('/healthz', async (request, reply) => {
    let ok = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        opts.check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('store check timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      ok = false;
      request.log.warn({ err: { message: (err as Error).message } }, 'health check: store unavailable');
    } finally {
      clearTimeout(timer);
    }
    return reply
      .code(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ok ? 'ok' : 'unavailable',
        mode: opts.mode,
        ...(opts.mode === 'demo' ? { warning: 'demo mode: emulated upstreams and public demo credentials; not for production' } : {}),
        store: { driver: opts.storeDriver, ok },
        version: opts.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      });
  });
}
