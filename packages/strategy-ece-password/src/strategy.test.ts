import { describe, expect, it } from 'vitest';
import type { AuthenticationBackend } from './backend.js';
import { parseSsoRedirectLocation } from './login-state.js';
import { DEFAULT_SESSION_LIFETIME_SECONDS } from './options.js';
import { errorOf, harness } from './test-support/harness.js';

const ALICE = { username: 'Alice', password: 'correct horse battery staple', email: 'alice@example.com' };

describe('body form (no login_state.path)', () => {
  it('answers 200 {token, session_expiration_time}; the token verifies as the user', async () => {
    const { login, gh, users } = await harness({ users: [ALICE] });
    const res = await login({ username: 'alice', password: ALICE.password });
    expect(res.status).toBe(200);
    const body = res.body as { token: string; session_expiration_time: string };
    expect(Object.keys(body).sort()).toEqual(['session_expiration_time', 'token']);
    expect(body.session_expiration_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(res.headers['x-cloud-error-codes']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    const verified = await gh.issuer.verify(body.token);
    expect(verified.subject).toEqual({ type: 'user', id: users[0]!.id });
    expect(verified.authMethod).toBe('ece-password');
    expect(verified.claims.username).toBe('alice');
  });

  it('a token renewed at /api/v1/auth/token/renew keeps its username', async () => {
    const { login, gh, request } = await harness({ users: [ALICE], strategy: { sessionMaxLifetimeSeconds: 86_400 } });
    const { token } = (await login({ username: 'alice', password: ALICE.password })).body as { token: string };
    const renewed = await gh.handle(request({ accessToken: token }, { path: '/api/v1/auth/token/renew' }));
    expect(renewed.status).toBe(200);
    const verified = await gh.issuer.verify((renewed.body as { accessToken: string }).accessToken);
    expect(verified.claims.username).toBe('alice');
  });

  it('reflects the default 8-hour session in both exp and session_expiration_time, and they agree', async () => {
    const { login, gh, clock } = await harness({ users: [ALICE] });
    const res = await login({ username: 'alice', password: ALICE.password });
    const body = res.body as { token: string; session_expiration_time: string };
    const verified = await gh.issuer.verify(body.token);
    const exp = verified.claims.exp!;
    expect(new Date(body.session_expiration_time).getTime()).toBe(exp * 1000);
    // The clock stands at .750 s: both are the same whole second, 8 h later.
    expect(exp).toBe(Math.floor(clock.now().getTime() / 1000) + DEFAULT_SESSION_LIFETIME_SECONDS);
    expect(body.session_expiration_time).toBe('2026-03-01T20:00:00+00:00');
  });

  it('honours a configured session lifetime', async () => {
    const { login, gh } = await harness({ users: [ALICE], strategy: { sessionLifetimeSeconds: 900 } });
    const body = (await login({ username: 'alice', password: ALICE.password })).body as { token: string; session_expiration_time: string };
    expect(body.session_expiration_time).toBe('2026-03-01T12:15:00+00:00');
    expect((await gh.issuer.verify(body.token)).claims.exp).toBe(Date.parse('2026-03-01T12:15:00Z') / 1000);
  });

  it('the token stops verifying when the session ends', async () => {
    const { login, gh, clock } = await harness({ users: [ALICE], strategy: { sessionLifetimeSeconds: 60 } });
    const { token } = (await login({ username: 'alice', password: ALICE.password })).body as { token: string };
    await gh.issuer.verify(token);
    clock.advance(61_000 + 5_000); // past exp and the issuer's leeway
    await expect(gh.issuer.verify(token)).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('renewal cannot extend a session past sessionMaxLifetimeSeconds (default: the lifetime itself)', async () => {
    const { login, gh, clock } = await harness({ users: [ALICE], strategy: { sessionLifetimeSeconds: 600, sessionMaxLifetimeSeconds: 900 } });
    const { token } = (await login({ username: 'alice', password: ALICE.password })).body as { token: string };
    clock.advance(500_000);
    const renewed = await gh.issuer.renew(token);
    expect(renewed.expiresAt.getTime()).toBe(Date.parse('2026-03-01T12:15:00.750Z'));
  });

  it('logs in whatever form of the username is typed (normalised lookup)', async () => {
    const { login } = await harness({ users: [ALICE] });
    for (const username of ['ALICE', ' alice ', 'ａｌｉｃｅ']) {
      expect((await login({ username, password: ALICE.password })).status).toBe(200);
    }
  });

  it('records a login.succeeded audit event with the backend and the normalised username', async () => {
    const { login, audit, users } = await harness({ users: [ALICE] });
    await login({ username: 'ALICE', password: ALICE.password });
    expect(audit.at(-1)).toMatchObject({ type: 'login.succeeded', subject: `user:${users[0]!.id}`, status: 200, detail: { backend: 'user-store', username: 'alice', redirect: false } });
  });
});

describe('redirect form (login_state.path)', () => {
  it('answers 302 to /sso/token#<token>?state=<login_state> with an empty body; the token verifies and the state round-trips', async () => {
    const { login, gh, users } = await harness({ users: [ALICE] });
    const loginState = { path: '/deployments/abc?tab=logs&x=1#top', theme: 'dark', nested: { ids: [1, 2, 3], note: 'a "quoted" & ünïcødé ? # value' } };
    const res = await login({ username: 'alice', password: ALICE.password, login_state: loginState });
    expect(res.status).toBe(302);
    expect(res.body).toBeUndefined();
    const location = res.headers.location!;
    expect(location.startsWith('/sso/token#')).toBe(true);
    expect(location).toMatch(/^[\x21-\x7e]+$/); // printable ASCII only: safe in a header
    const parsed = parseSsoRedirectLocation(location)!;
    expect(parsed.state).toEqual(loginState);
    const verified = await gh.issuer.verify(parsed.token);
    expect(verified.subject.id).toBe(users[0]!.id);
  });

  it('uses the body form when login_state has no path', async () => {
    const { login } = await harness({ users: [ALICE] });
    const res = await login({ username: 'alice', password: ALICE.password, login_state: { theme: 'dark' } });
    expect(res.status).toBe(200);
    expect((res.body as { token: string }).token).toBeTruthy();
  });

  it('ignores a __proto__ key: no inherited path turns the body form into a redirect', async () => {
    const { login } = await harness({ users: [ALICE] });
    const body = JSON.parse(`{"username":"alice","password":${JSON.stringify(ALICE.password)},"login_state":{"__proto__":{"path":"//evil.com"}}}`);
    const res = await login(body);
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
  });

  it.each(['/\uff0fevil.com', '/\uff3cevil.com', '/\ufe68evil.com'])(
    'refuses %s (a separator once normalised with NFKC) with 400 naming login_state.path, the right password notwithstanding',
    async (path) => {
      const { login } = await harness({ users: [ALICE] });
      const res = await login({ username: 'alice', password: ALICE.password, login_state: { path } });
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(errorOf(res)).toMatchObject({ code: 'root.invalid_json_request', fields: ['login_state.path'] });
    },
  );

  it('refuses bad credentials with 401 before any redirect', async () => {
    const { login } = await harness({ users: [ALICE] });
    const res = await login({ username: 'alice', password: 'wrong', login_state: { path: '/x' } });
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });
});

describe('bad credentials', () => {
  it('answers 401 root.unauthenticated in the ece dialect with x-cloud-error-codes', async () => {
    const { login, audit } = await harness({ users: [ALICE] });
    const res = await login({ username: 'alice', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.headers['x-cloud-error-codes']).toBe('root.unauthenticated');
    expect(res.body).toEqual({ errors: [{ code: 'root.unauthenticated', message: 'The supplied authentication is invalid' }] });
    expect(audit.at(-1)).toMatchObject({ type: 'login.failed', reasonCode: 'invalid_credentials', status: 401 });
  });
});

describe('lockout (default 5 attempts / 15 min per normalised username)', () => {
  const wrong = (username = 'alice') => ({ username, password: 'wrong' });
  const right = (username = 'alice') => ({ username, password: ALICE.password });

  it('refuses the 6th attempt in the window with 429, even with the right password', async () => {
    const { login } = await harness({ users: [ALICE] });
    for (let i = 0; i < 5; i++) expect((await login(wrong())).status).toBe(401);
    const res = await login(right());
    expect(res.status).toBe(429);
    expect(res.headers['x-cloud-error-codes']).toBe('root.too_many_requests');
    expect(res.headers['retry-after']).toBe('900');
    expect(errorOf(res).code).toBe('root.too_many_requests');
  });

  it('one client cannot lock the real user out from everywhere: the lock holds for its address only', async () => {
    const { login } = await harness({ users: [ALICE] });
    for (let i = 0; i < 5; i++) expect((await login(wrong(), { socketAddress: '203.0.113.66' })).status).toBe(401);
    expect((await login(right(), { socketAddress: '203.0.113.66' })).status).toBe(429);
    expect((await login(right(), { socketAddress: '198.51.100.20' })).status).toBe(200);
  });

  it('password spraying from one address (100 usernames) is refused after 50 failures, with the same answer for every name', async () => {
    const { login } = await harness({ users: [ALICE] });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await login(wrong(`user${i}`), { socketAddress: '203.0.113.9' })).status);
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
    expect((await login(right(), { socketAddress: '203.0.113.9' })).status).toBe(429);
    expect((await login(right(), { socketAddress: '198.51.100.20' })).status).toBe(200);
  });

  it('counts `Admin`, `admin ` and `ＡＤＭＩＮ` on one counter', async () => {
    const { login } = await harness({ users: [{ username: 'admin', password: 'correct-pw-123' }] });
    for (const username of ['Admin', 'admin ', 'ＡＤＭＩＮ', 'Admin', 'admin ']) expect((await login(wrong(username))).status).toBe(401);
    expect((await login({ username: 'ＡＤＭＩＮ', password: 'correct-pw-123' })).status).toBe(429);
    expect((await login({ username: 'admin', password: 'correct-pw-123' })).status).toBe(429);
  });

  it('resets the counter after a success', async () => {
    const { login } = await harness({ users: [ALICE] });
    for (let i = 0; i < 4; i++) expect((await login(wrong())).status).toBe(401);
    expect((await login(right())).status).toBe(200);
    // Without the reset, the 2nd of these would already be the 6th attempt.
    for (let i = 0; i < 4; i++) expect((await login(wrong())).status).toBe(401);
    expect((await login(right())).status).toBe(200);
  });

  it('reopens when the window ends (injected clock)', async () => {
    const { login, clock } = await harness({ users: [ALICE] });
    for (let i = 0; i < 5; i++) await login(wrong());
    clock.advance(15 * 60_000 - 1_000);
    const locked = await login(right());
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    clock.advance(1_000);
    expect((await login(right())).status).toBe(200);
  });

  it('locks unknown usernames exactly like known ones', async () => {
    const { login } = await harness({ users: [ALICE] });
    for (let i = 0; i < 5; i++) expect((await login(wrong('nobody'))).status).toBe(401);
    expect((await login(wrong('nobody'))).status).toBe(429);
  });

  it('keeps counters per user: locking one does not lock another', async () => {
    const { login } = await harness({ users: [ALICE, { username: 'bob', password: 'correct-pw-123' }] });
    for (let i = 0; i < 6; i++) await login(wrong());
    expect((await login({ username: 'bob', password: 'correct-pw-123' })).status).toBe(200);
  });

  it('honours a configured policy', async () => {
    const { login, clock } = await harness({ users: [ALICE], strategy: { lockout: { maxFailures: 2, windowMs: 60_000 } } });
    expect((await login(wrong())).status).toBe(401);
    expect((await login(wrong())).status).toBe(401);
    const res = await login(right());
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
    clock.advance(60_000);
    expect((await login(right())).status).toBe(200);
  });

  it('checks at most 5 passwords however many attempts arrive at once', async () => {
    const calls: string[] = [];
    const backend: AuthenticationBackend = {
      name: 'counting',
      async authenticate(username) {
        calls.push(username);
        await new Promise((r) => setTimeout(r, 5));
        return null;
      },
    };
    const { login } = await harness({ strategy: { backend } });
    const results = await Promise.all(Array.from({ length: 20 }, () => login(wrong())));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    expect(calls).toHaveLength(5);
  });

  it('applies to a pluggable backend too, keyed by the normalised username, without calling it when locked', async () => {
    const calls: string[] = [];
    const backend: AuthenticationBackend = {
      name: 'directory',
      async authenticate(username, password) {
        calls.push(username);
        return username === 'carol' && password === 'pw' ? { userId: 'uid=carol,ou=people' } : null;
      },
    };
    const { login, gh } = await harness({ strategy: { backend } });
    for (const username of ['Carol', 'carol ', 'ＣＡＲＯＬ', 'CAROL', 'carol']) expect((await login({ username, password: 'no' })).status).toBe(401);
    expect(calls).toEqual(['carol', 'carol', 'carol', 'carol', 'carol']);
    expect((await login({ username: 'carol', password: 'correct-pw-123' })).status).toBe(429);
    expect(calls).toHaveLength(5);
    await gh.close();
  });
});
