import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGON2, DEFAULT_LOCKOUT } from '@gatehouse-auth/core/password';
import { DEFAULT_BACKEND_TIMEOUT_MS, DEFAULT_SESSION_LIFETIME_SECONDS, resolveOptions } from './options.js';
import { ecePasswordStrategy } from './strategy.js';

describe('options', () => {
  it('has documented defaults', () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({
      id: 'ece-password',
      argon2: DEFAULT_ARGON2,
      lockout: DEFAULT_LOCKOUT,
      sessionLifetimeSeconds: DEFAULT_SESSION_LIFETIME_SECONDS,
      backendTimeoutMs: DEFAULT_BACKEND_TIMEOUT_MS,
    });
    expect(DEFAULT_SESSION_LIFETIME_SECONDS).toBe(8 * 3600);
    expect(DEFAULT_LOCKOUT).toEqual({ maxFailures: 5, windowMs: 15 * 60_000, accountCeiling: 100, addressCeiling: 50 });
  });

  it.each([
    ['a renewal budget shorter than the session', { sessionLifetimeSeconds: 600, sessionMaxLifetimeSeconds: 60 }, 'sessionMaxLifetimeSeconds'],
    ['a zero lifetime', { sessionLifetimeSeconds: 0 }, 'sessionLifetimeSeconds'],
    ['a fractional timeout', { backendTimeoutMs: 1.5 }, 'backendTimeoutMs'],
    ['a backend without authenticate', { backend: { name: 'x' } }, 'backend'],
    ['an unknown option', { sessionTtl: 5 }, 'sessionTtl'],
    ['a zero lockout limit', { lockout: { maxFailures: 0, windowMs: 1000 } }, 'lockout.maxFailures'],
    ['an odd id', { id: 'Has Spaces' }, 'id'],
  ])('refuses %s at construction, naming it', (_n, options, name) => {
    expect(() => ecePasswordStrategy(options as never)).toThrow(new RegExp(`invalid options: .*${name.replace('.', '\\.')}`));
  });

  it('exposes the seed route, the ece dialect and the schemas', () => {
    const s = ecePasswordStrategy({ backend: null });
    expect(s.route).toEqual({ method: 'POST', path: '/api/v1/users/auth/_login' });
    expect(s.dialect).toBe('ece');
    expect(s.id).toBe('ece-password');
  });
});
