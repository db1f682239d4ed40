import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/load.js';
import { assertDemoAllowed, DEMO_PUBLIC_BIND_ENV, DEMO_PUBLIC_BIND_VALUE, isLoopbackHost } from './fence.js';

const demo = (extra: Record<string, unknown> = {}) => resolveConfig({ mode: 'demo', ...extra }, '/tmp').config;

describe('demo mode fence', () => {
  it('allows demo mode on loopback with PGlite or memory', () => {
    expect(() => assertDemoAllowed(demo(), {})).not.toThrow();
    expect(() => assertDemoAllowed(demo({ store: { driver: 'memory' }, server: { host: '::1', tls: { port: 0 } } }), {})).not.toThrow();
  });

  it('refuses NODE_ENV=production, whatever else is set', () => {
    expect(() => assertDemoAllowed(demo(), { NODE_ENV: 'production' })).toThrow(/NODE_ENV=production/);
    expect(() => assertDemoAllowed(demo(), { NODE_ENV: 'production', [DEMO_PUBLIC_BIND_ENV]: DEMO_PUBLIC_BIND_VALUE })).toThrow(/NODE_ENV=production/);
  });

  it('refuses a PostgreSQL store (it would seed demo users into a real database)', () => {
    expect(() => assertDemoAllowed(demo({ store: { driver: 'postgres', url: 'postgres://db/x' } }), {})).toThrow(/PostgreSQL store/);
  });

  it('refuses a non-loopback HTTP or HTTPS address unless the loud override is set exactly', () => {
    expect(() => assertDemoAllowed(demo({ server: { host: '0.0.0.0' } }), {})).toThrow(/non-loopback address \(0\.0\.0\.0\)/);
    expect(() => assertDemoAllowed(demo({ server: { tls: { host: '10.0.0.5', port: 0 } } }), {})).toThrow(/10\.0\.0\.5/);
    expect(() => assertDemoAllowed(demo({ server: { host: '0.0.0.0' } }), { [DEMO_PUBLIC_BIND_ENV]: '1' })).toThrow(/non-loopback/);
    expect(() => assertDemoAllowed(demo({ server: { host: '0.0.0.0' } }), { [DEMO_PUBLIC_BIND_ENV]: DEMO_PUBLIC_BIND_VALUE })).not.toThrow();
  });

  it('production mode is never checked', () => {
    expect(() => assertDemoAllowed(resolveConfig({ server: { host: '0.0.0.0' } }, '/tmp').config, { NODE_ENV: 'production' })).not.toThrow();
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1', 'localhost.evil.com']) expect(isLoopbackHost(h)).toBe(false);
  });
});
