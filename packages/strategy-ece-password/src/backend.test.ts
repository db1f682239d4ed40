import { StoreUnavailableError } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { scrubError, type AuthenticationBackend, type AuthenticationContext } from './backend.js';
import { errorOf, harness } from './test-support/harness.js';

const PASSWORD = 'hunter2-very-secret';
const creds = { username: 'Carol', password: PASSWORD };

describe('no backend configured (backend: null)', () => {
  it('answers 501 authc.no_authentication_cluster and counts nothing', async () => {
    const h = await harness({ strategy: { backend: null } });
    const res = await h.login(creds);
    expect(res.status).toBe(501);
    expect(res.headers['x-cloud-error-codes']).toBe('authc.no_authentication_cluster');
    expect(res.body).toEqual({ errors: [{ code: 'authc.no_authentication_cluster', message: 'The administrator needs to configure the authentication cluster' }] });
    expect(await h.stores.limiter.peek('lockout:ece-password:carol@127.0.0.1', h.clock.now())).toBeNull();
    expect(h.audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'no_authentication_backend', status: 501 });
  });

  it('still validates the request first (400 beats 501)', async () => {
    const h = await harness({ strategy: { backend: null } });
    expect((await h.login({ username: 'x' })).status).toBe(400);
  });
});

describe('a failing backend', () => {
  const expect502 = (res: Awaited<ReturnType<Awaited<ReturnType<typeof harness>>['login']>>) => {
    expect(res.status).toBe(502);
    expect(res.headers['x-cloud-error-codes']).toBe('authc.authentication_cluster_error');
    expect(errorOf(res).code).toBe('authc.authentication_cluster_error');
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
  };

  it('answers 502 when it throws, and keeps the password out of the response and the logs', async () => {
    const backend: AuthenticationBackend = {
      name: 'ldap',
      async authenticate(username, password) {
        throw new Error(`bind failed for cn=${username} with password ${password}`);
      },
    };
    const h = await harness({ strategy: { backend } });
    const res = await h.login(creds);
    expect502(res);
    expect(errorOf(res).message).toBe('The authentication cluster failed to process the request');
    expect(h.audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'backend_error', status: 502 });
    const logged = JSON.stringify(h.logs);
    expect(logged).toContain('backend_error'); // operators see what failed…
    expect(logged).not.toContain(PASSWORD); // …never the password
  });

  it('answers 502 when it throws synchronously or throws a non-Error', async () => {
    const sync: AuthenticationBackend = {
      name: 'sync',
      authenticate() {
        throw new TypeError('boom');
      },
    };
    expect502(await (await harness({ strategy: { backend: sync } })).login(creds));
    const odd: AuthenticationBackend = {
      name: 'odd',
      authenticate: () => Promise.reject(PASSWORD),
    };
    const h = await harness({ strategy: { backend: odd } });
    expect502(await h.login(creds));
    expect(JSON.stringify(h.logs)).not.toContain(PASSWORD);
  });

  it('answers 502 when it hangs past the timeout, and aborts its signal', async () => {
    let seen: AuthenticationContext | undefined;
    const backend: AuthenticationBackend = {
      name: 'hanging',
      authenticate(_u, _p, ctx) {
        seen = ctx;
        return new Promise(() => {}); // never settles
      },
    };
    const h = await harness({ strategy: { backend, backendTimeoutMs: 50 } });
    const res = await h.login(creds);
    expect502(res);
    expect(errorOf(res).message).toBe('The authentication cluster did not answer in time');
    expect(h.audit.at(-1)).toMatchObject({ reasonCode: 'backend_timeout' });
    expect(seen?.signal.aborted).toBe(true);
  });

  it('answers 502 when it settles after the timeout with a success (a late answer is not used)', async () => {
    const backend: AuthenticationBackend = {
      name: 'slow',
      authenticate: () => new Promise((resolve) => setTimeout(() => resolve({ userId: 'late' }), 200)),
    };
    const h = await harness({ strategy: { backend, backendTimeoutMs: 20 } });
    expect502(await h.login(creds));
  });

  it.each([
    ['an empty object', {}],
    ['a numeric userId', { userId: 5 }],
    ['an empty userId', { userId: '' }],
    ['an over-long userId', { userId: 'u'.repeat(257) }],
    ['array claims', { userId: 'u', claims: [] }],
    ['undefined', undefined],
    ['a boolean', true],
  ])('answers 502 when it returns %s', async (_n, value) => {
    const backend = { name: 'garbage', authenticate: async () => value } as unknown as AuthenticationBackend;
    const h = await harness({ strategy: { backend } });
    const res = await h.login(creds);
    expect502(res);
    expect(h.audit.at(-1)).toMatchObject({ reasonCode: 'backend_bad_result' });
  });

  it('does not count a failed backend call towards lockout: an outage locks nobody out', async () => {
    let up = false;
    const backend: AuthenticationBackend = {
      name: 'flaky',
      authenticate: async (username, password) => {
        if (!up) throw new Error('ECONNREFUSED');
        return password === PASSWORD ? { userId: username } : null;
      },
    };
    const h = await harness({ strategy: { backend } });
    for (let i = 0; i < 12; i++) expect502(await h.login(creds));
    expect((await h.stores.limiter.peek('lockout:ece-password:carol@127.0.0.1', h.clock.now()))?.count ?? 0).toBe(0);
    up = true;
    expect((await h.login(creds)).status).toBe(200);
    // Answered refusals still count as before.
    for (let i = 0; i < 5; i++) expect((await h.login({ ...creds, password: 'wrong' })).status).toBe(401);
    expect((await h.login(creds)).status).toBe(429);
  });
});

describe('a store failure (Gatehouse\'s own outage)', () => {
  it('in the default backend is the dialect\'s 503 root.service_unavailable, not 502, and counts no attempt', async () => {
    const h = await harness({ users: [{ username: 'carol', password: PASSWORD }] });
    const getByUsername = h.stores.users.getByUsername.bind(h.stores.users);
    h.stores.users.getByUsername = async () => {
      throw new StoreUnavailableError(new Error('connection refused'));
    };
    for (let i = 0; i < 8; i++) {
      const res = await h.login(creds);
      expect(res.status).toBe(503);
      expect(res.headers['x-cloud-error-codes']).toBe('root.service_unavailable');
      expect(res.body).toEqual({ errors: [{ code: 'root.service_unavailable', message: 'The service is temporarily unavailable' }] });
    }
    expect(h.audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'store_unavailable', status: 503 });
    expect((await h.stores.limiter.peek('lockout:ece-password:carol@127.0.0.1', h.clock.now()))?.count ?? 0).toBe(0);
    h.stores.users.getByUsername = getByUsername;
    expect((await h.login(creds)).status).toBe(200);
  });

  it('from a custom backend that reads ctx.stores is a 503 as well', async () => {
    const backend: AuthenticationBackend = {
      name: 'store-reader',
      authenticate: async () => Promise.reject(new StoreUnavailableError(new Error('timeout'))),
    };
    const h = await harness({ strategy: { backend } });
    const res = await h.login(creds);
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe('root.service_unavailable');
  });

  it('when only recording lastLoginAt fails, the accepted login still succeeds (bookkeeping never fails a login)', async () => {
    const h = await harness({ users: [{ username: 'carol', password: PASSWORD }] });
    h.stores.users.update = async () => {
      throw new StoreUnavailableError(new Error('statement timeout'));
    };
    const res = await h.login(creds);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.any(String) });
    expect(h.logs.some((l) => l.level === 'warn' && l.msg === 'password accepted; recording the login on the user failed')).toBe(true);
    expect((await h.stores.limiter.peek('lockout:ece-password:carol@127.0.0.1', h.clock.now()))?.count ?? 0).toBe(0);
  });

  it('when the limiter cannot clear the counter after a success, the login still succeeds', async () => {
    const h = await harness({ users: [{ username: 'carol', password: PASSWORD }] });
    h.stores.limiter.reset = async () => {
      throw new StoreUnavailableError(new Error('connection reset'));
    };
    expect((await h.login(creds)).status).toBe(200);
  });
});

describe('scrubError', () => {
  it('removes every occurrence of the password from message and stack, keeping the name', () => {
    const err = new RangeError(`bad ${PASSWORD} and again ${PASSWORD}`);
    const clean = scrubError(err, PASSWORD);
    expect(clean.name).toBe('RangeError');
    expect(clean.message).toBe('bad [redacted] and again [redacted]');
    expect(clean.stack).toContain('[redacted]');
    expect(clean.stack).not.toContain(PASSWORD);
  });
  it('describes a non-Error by its type only', () => {
    expect(scrubError(PASSWORD, PASSWORD).message).toBe('non-Error thrown: string');
    expect(scrubError({ secret: PASSWORD }, PASSWORD).message).toBe('non-Error thrown: object');
  });
});

describe('a pluggable backend (e.g. a directory)', () => {
  it('gets the normalised username, the password, the clock and a live signal; its claims reach the token', async () => {
    let call: { username: string; password: string; aborted: boolean; requestId: string; now: Date } | undefined;
    const backend: AuthenticationBackend = {
      name: 'directory',
      async authenticate(username, password, ctx) {
        call = { username, password, aborted: ctx.signal.aborted, requestId: ctx.requestId, now: ctx.clock.now() };
        return { userId: 'uid=carol,ou=people,dc=example', claims: { groups: ['ops'], sub: 'ignored-reserved' }, audit: { dn: 'uid=carol' } };
      },
    };
    const h = await harness({ strategy: { backend } });
    const res = await h.login({ username: ' ＣＡＲＯＬ ', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(call).toMatchObject({ username: 'carol', password: PASSWORD, aborted: false, now: h.clock.now() });
    expect(call?.requestId).toBe(res.headers['x-request-id']);
    const verified = await h.gh.issuer.verify((res.body as { token: string }).token);
    expect(verified.subject).toEqual({ type: 'user', id: 'uid=carol,ou=people,dc=example' });
    expect(verified.claims.groups).toEqual(['ops']);
    expect(h.audit.at(-1)?.detail).toMatchObject({ backend: 'directory', dn: 'uid=carol' });
  });

  it('null from the backend is the same 401 as the user store gives', async () => {
    const backend: AuthenticationBackend = { name: 'none', authenticate: async () => null };
    const fromBackend = await (await harness({ strategy: { backend } })).login(creds);
    const fromStore = await (await harness()).login(creds);
    expect(fromBackend.status).toBe(401);
    expect(JSON.stringify(fromBackend.body)).toBe(JSON.stringify(fromStore.body));
  });
});
