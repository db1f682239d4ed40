/**
 * Demo mode seeds identities and users whose credentials are printed on the terminal. It must never run
 * by accident where it matters, so it starts only when all of these hold:
 * - the config file itself says `mode: demo` (no environment variable can switch it on);
 * - `NODE_ENV` is not `production` (no override);
 * - the store is embedded PGlite or memory, never a PostgreSQL server (no override);
 * - every listener is bound to a loopback address, unless `GATEHOUSE_DEMO_ALLOW_PUBLIC_BIND` is set to
 *   `yes-i-understand-demo-credentials-are-public`.
 */
import type { GatehouseConfig } from '../config/schema.js';
import { configError } from '../errors.js';

export const DEMO_PUBLIC_BIND_ENV = 'GATEHOUSE_DEMO_ALLOW_PUBLIC_BIND';
export const DEMO_PUBLIC_BIND_VALUE = 'yes-i-understand-demo-credentials-are-public';

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}

export function assertDemoAllowed(config: GatehouseConfig, env: Record<string, string | undefined>): void {
  if (config.mode !== 'demo') return;
  if (env.NODE_ENV === 'production') {
    throw configError('refusing to start in demo mode with NODE_ENV=production: demo mode seeds users whose passwords are printed; use mode: production');
  }
  if (config.store.driver === 'postgres') {
    throw configError('refusing to start in demo mode on a PostgreSQL store (DATABASE_URL or store.driver: postgres): demo mode would seed demo users into it; demo mode runs on embedded PGlite only');
  }
  const hosts = [config.server.host, ...(config.server.tls ? [config.server.tls.host ?? config.server.host] : [])];
  const exposed = hosts.filter((h) => !isLoopbackHost(h));
  if (exposed.length && env[DEMO_PUBLIC_BIND_ENV] !== DEMO_PUBLIC_BIND_VALUE) {
    throw configError(
      `refusing to start in demo mode on a non-loopback address (${exposed.join(', ')}): anyone who can reach it could log in with the demo credentials. Bind to 127.0.0.1, or set ${DEMO_PUBLIC_BIND_ENV}=${DEMO_PUBLIC_BIND_VALUE}`,
    );
  }
}
