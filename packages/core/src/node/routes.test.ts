import { describe, expect, it } from 'vitest';
import { routeMatcher, routePrefixes } from './routes.js';

const fake = (paths: string[]) => ({
  routes: () => paths.map((path) => ({ path })) as never,
  ownsPath: (p: string) => paths.includes(p),
});

describe('routePrefixes', () => {
  it('claims each API family that holds a route, once', () => {
    expect(routePrefixes(fake(['/api/v1/auth/alicloud-auth/login', '/api/v1/auth/token/renew', '/api/v1/users/auth/_login'])).sort()).toEqual(['/api/v1/auth/', '/api/v1/users/auth/']);
  });
  it('claims the parent directory of other routes, never / nor /.well-known/', () => {
    expect(routePrefixes(fake(['/auth/custom/login', '/login', '/.well-known/jwks.json']))).toEqual(['/auth/custom/']);
  });
});

describe('routeMatcher', () => {
  const matcher = routeMatcher(fake(['/api/v1/auth/x/login', '/.well-known/jwks.json']));
  it('answers for routes and for unknown paths under the prefixes only', () => {
    expect(matcher.answers('/api/v1/auth/x/login')).toBe(true);
    expect(matcher.answers('/api/v1/auth/unknown')).toBe(true);
    expect(matcher.answers('/.well-known/jwks.json')).toBe(true);
    expect(matcher.answers('/.well-known/openid-configuration')).toBe(false);
    expect(matcher.answers('/api/v1/authx')).toBe(false);
    expect(matcher.owns('/api/v1/auth/unknown')).toBe(false);
  });
  it('takes explicit prefixes', () => {
    expect(routeMatcher(fake(['/api/v1/auth/x/login']), []).answers('/api/v1/auth/unknown')).toBe(false);
  });
});
