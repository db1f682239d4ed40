import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { ManualClock } from '../runtime/clock.js';
import { createGatehouse, type Gatehouse } from '../runtime/container.js';
import type { Logger } from '../runtime/logger.js';
import { bearerToken, createGuard, guardFrom, localGuard } from './guard.js';
import { localVerifier } from './verifier.js';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl'],
    ['bearer abc', 'abc'],
    ['BEARER  abc==', 'abc=='],
    ['Bearer abc ', 'abc'],
    ['Bearer ', undefined],
    ['Bearer a b', undefined],
    ['Bearer a,b', undefined],
    ['Basic dXNlcg==', undefined],
    ['Bearerabc', undefined],
    [undefined, undefined],
    [['Bearer a', 'Bearer b'], undefined],
    [`Bearer ${'a'.repeat(9000)}`, undefined],
  ])('%j → %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('guard', () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  let gatehouse: Gatehouse;
  const errors: unknown[] = [];
  const logger = { info() {}, warn() {}, debug() {}, error: (obj: unknown) => void errors.push(obj) } as unknown as Logger;
  const issue = (settings: Record<string, unknown> = {}, clientIp = '127.0.0.1') =>
    gatehouse.issuer.issue({ subject: { type: 'identity', id: 'id-1', claims: { role: 'ci' } }, authMethod: 'test', settings, clientIp }).then((i) => i.token);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(() => {
    gatehouse = createGatehouse({ clock, trustProxy: ['10.0.0.0/8'], defaultDialect: 'ece', logger });
  });
  afterAll(() => gatehouse.close());

  it('accepts a valid token and returns the principal', async () => {
    const result = await localGuard(gatehouse).check(auth(await issue()), '10.1.2.3');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.principal).toMatchObject({ subject: { type: 'identity', id: 'id-1', claims: { role: 'ci' } }, authMethod: 'test', claims: { sub: 'id-1', role: 'ci' } });
    expect(result.principal.expiresAt).toBeInstanceOf(Date);
    expect(result.clientIp).toBe('10.1.2.3');
  });

  it('refuses a missing token with a bare challenge, in the Gatehouse’s default dialect', async () => {
    const result = await localGuard(gatehouse).check({}, '127.0.0.1');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.response.status).toBe(401);
    expect(result.response.headers['www-authenticate']).toBe('Bearer');
    expect(result.response.headers['x-cloud-error-codes']).toBe('root.unauthenticated');
    expect(result.response.headers['x-request-id']).toMatch(/^req-/);
    expect(result.response.body).toEqual({ errors: [{ code: 'root.unauthenticated', message: 'Authentication required' }] });
  });

  it('refuses a bad token with invalid_token, and names the realm when given', async () => {
    const result = await createGuard({ verifier: localVerifier(gatehouse), realm: 'api"x' }).check({ authorization: 'Bearer x.y.z' }, '127.0.0.1');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.response.headers['www-authenticate']).toBe('Bearer realm="apix", error="invalid_token"');
    expect(result.response.body).toMatchObject({ statusCode: 401, error: 'UnauthorizedError', message: 'Invalid or expired token' });
  });

  it('stateful modes: none ignores revocation, check enforces it without counting, consume counts uses', async () => {
    const revoked = await issue();
    await gatehouse.issuer.revoke(revoked);
    expect((await createGuard({ verifier: localVerifier(gatehouse, { stateful: 'none' }) }).check(auth(revoked), '127.0.0.1')).ok).toBe(true);
    expect((await createGuard({ verifier: localVerifier(gatehouse) }).check(auth(revoked), '127.0.0.1')).ok).toBe(false);

    const limited = await issue({ accessTokenNumUsesLimit: 1 });
    const checking = createGuard({ verifier: localVerifier(gatehouse, { stateful: 'check' }) });
    expect((await checking.check(auth(limited), '127.0.0.1')).ok).toBe(true);
    expect((await checking.check(auth(limited), '127.0.0.1')).ok).toBe(true);
    const consuming = localGuard(gatehouse, { stateful: 'consume' });
    expect((await consuming.check(auth(limited), '127.0.0.1')).ok).toBe(true);
    expect((await consuming.check(auth(limited), '127.0.0.1')).ok).toBe(false);
  });

  it('checks trusted IPs against the client address, honouring trustProxy', async () => {
    const token = await issue({ accessTokenTrustedIps: ['203.0.113.0/24'] }, '203.0.113.9');
    const guard = localGuard(gatehouse);
    expect((await guard.check({ ...auth(token), 'x-forwarded-for': '203.0.113.9' }, '10.0.0.1')).ok).toBe(true);
    // the same header from an untrusted peer is ignored
    const spoofed = await guard.check({ ...auth(token), 'x-forwarded-for': '203.0.113.9' }, '192.0.2.1');
    expect(spoofed.ok).toBe(false);
    if (!spoofed.ok) expect(spoofed.response.status).toBe(403);
  });

  it('refuses an expired token by the injected clock', async () => {
    const token = await issue({ accessTokenTTL: 60, accessTokenMaxTTL: 60 });
    clock.advance(61_000 + 5_000);
    const result = await localGuard(gatehouse).check(auth(token), '127.0.0.1');
    expect(result.ok).toBe(false);
  });

  it('an unexpected verifier failure is a 500 with a request id, logged, its message never shown', async () => {
    const guard = guardFrom({ verifier: { verify: () => Promise.reject(new Error('db password leaked')) }, logger });
    const result = await guard.check(auth('abc'), '127.0.0.1');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.response.status).toBe(500);
    expect(JSON.stringify(result.response)).not.toContain('leaked');
    expect(JSON.stringify(errors)).toContain(result.response.headers['x-request-id']!);
    expect(JSON.stringify(errors)).not.toContain('leaked');
  });

  it('passes a verifier’s AuthError through (e.g. a store that is down → 503)', async () => {
    const guard = createGuard({ verifier: { verify: () => Promise.reject(new AuthError({ kind: 'unavailable', reasonCode: 'store_unavailable' })) }, dialect: 'bytebase' });
    const result = await guard.check(auth('abc'), '127.0.0.1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.response).toMatchObject({ status: 503, body: { code: 'unavailable' } });
  });
});
