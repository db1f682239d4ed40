import { describe, expect, it } from 'vitest';
import { MAX_LOGIN_STATE_BYTES } from './login-state.js';
import { errorOf, harness } from './test-support/harness.js';

// Every refusal here is the ece dialect's 400 naming the field, never a 500; none reaches the backend.
const ALICE = { username: 'alice', password: 'correct-pw-123' };

async function expect400(body: unknown, fields: string[]) {
  const h = await harness({ users: [ALICE] });
  const res = await h.login(body);
  expect(res.status).toBe(400);
  expect(res.headers['x-cloud-error-codes']).toBe('root.invalid_json_request');
  expect(errorOf(res).code).toBe('root.invalid_json_request');
  expect(errorOf(res).fields).toEqual(fields);
  expect(await h.stores.limiter.peek('lockout:ece-password:alice@127.0.0.1', h.clock.now())).toBeNull();
  return res;
}

describe('open-redirect table: login_state.path', () => {
  it.each([
    ['protocol-relative', '//evil.com'],
    ['backslash', '/\\evil.com'],
    ['absolute URL', 'https://evil.com'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['percent-encoded slashes', '/%2F%2Fevil.com'],
    ['double-encoded slashes', '/%252F%252Fevil.com'],
    ['percent-encoded backslash', '/%5Cevil.com'],
    ['tab', '/\t/evil.com'],
    ['newline (header injection)', '/\r\nSet-Cookie: a=b'],
    ['space', '/ /evil.com'],
    ['NUL', '/\u0000'],
    ['zero-width space', '/\u200b/evil.com'],
    ['no leading slash', 'evil.com'],
    ['empty', ''],
    ['10 KB path', '/' + 'a'.repeat(10 * 1024)],
  ])('refuses %s with 400 fields ["login_state.path"]', async (_name, path) => {
    const res = await expect400({ ...ALICE, login_state: { path } }, ['login_state.path']);
    expect(res.headers.location).toBeUndefined();
    // The message states the rule and never echoes the input.
    expect(JSON.stringify(res.body)).not.toContain('evil');
  });

  it('refuses a non-string path', async () => {
    await expect400({ ...ALICE, login_state: { path: 42 } }, ['login_state.path']);
    await expect400({ ...ALICE, login_state: { path: ['/'] } }, ['login_state.path']);
  });
});

describe('login_state size and shape', () => {
  it(`refuses a login_state over ${MAX_LOGIN_STATE_BYTES} bytes of JSON`, async () => {
    await expect400({ ...ALICE, login_state: { path: '/ok', blob: 'x'.repeat(MAX_LOGIN_STATE_BYTES) } }, ['login_state']);
  });

  it('counts JSON escapes towards the size', async () => {
    await expect400({ ...ALICE, login_state: { blob: '\u0001'.repeat(400) } }, ['login_state']);
  });

  it('refuses nesting deeper than 8 levels, and survives 100 000 levels without a 500', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 9; i++) deep = { d: deep };
    await expect400({ ...ALICE, login_state: deep }, ['login_state']);
    let abyss: unknown = 1;
    for (let i = 0; i < 100_000; i++) abyss = [abyss];
    await expect400({ ...ALICE, login_state: { a: abyss } }, ['login_state']);
  });

  it('refuses many small keys', async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    await expect400({ ...ALICE, login_state: many }, ['login_state']);
  });

  it.each([['a string', 'x'], ['null', null], ['an array', []], ['a number', 1]])('refuses login_state as %s', async (_n, value) => {
    await expect400({ ...ALICE, login_state: value }, ['login_state']);
  });

  it('accepts a login_state just under the cap', async () => {
    const h = await harness({ users: [ALICE] });
    const state = { path: '/p', blob: 'x'.repeat(MAX_LOGIN_STATE_BYTES - 40) };
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThanOrEqual(MAX_LOGIN_STATE_BYTES);
    expect((await h.login({ ...ALICE, login_state: state })).status).toBe(302);
  });
});

describe('username and password', () => {
  it.each([
    ['missing username', { password: 'correct-pw-123' }, ['username']],
    ['missing password', { username: 'alice' }, ['password']],
    ['both missing', {}, ['username', 'password']],
    ['numeric username', { username: 42, password: 'correct-pw-123' }, ['username']],
    ['object password', { username: 'alice', password: { $ne: '' } }, ['password']],
    ['empty username', { username: '', password: 'correct-pw-123' }, ['username']],
    ['blank username', { username: ' \t ', password: 'correct-pw-123' }, ['username']],
    ['empty password', { username: 'alice', password: '' }, ['password']],
    ['257-character username', { username: 'a'.repeat(257), password: 'correct-pw-123' }, ['username']],
    ['username that NFKC-expands past the cap', { username: '\ufdfa'.repeat(20), password: 'correct-pw-123' }, ['username']],
    ['1025-character password', { username: 'alice', password: 'p'.repeat(1025) }, ['password']],
    ['1026-byte password of 513 characters', { username: 'alice', password: 'é'.repeat(513) }, ['password']],
    ['unknown top-level field', { username: 'alice', password: 'correct-pw-123', admin: true }, ['admin']],
  ])('refuses a %s with 400 naming the field', async (_name, body, fields) => {
    const res = await expect400(body, fields);
    expect(JSON.stringify(res.body)).not.toContain('$ne');
  });

  it.each([['an array', []], ['a string', 'alice:pw'], ['null', null], ['a number', 7]])('refuses a body that is %s', async (_n, body) => {
    const h = await harness({ users: [ALICE] });
    const res = await h.login(body);
    expect(res.status).toBe(400);
    expect(res.headers['x-cloud-error-codes']).toBe('root.invalid_json_request');
  });

  it('renders adapter body errors in the ece dialect', async () => {
    const h = await harness({ users: [ALICE] });
    const malformed = await h.login(undefined, { bodyError: 'malformed_json' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers['x-cloud-error-codes']).toBeDefined();
    const large = await h.login(undefined, { bodyError: 'too_large' });
    expect(large.status).toBe(413);
    expect(errorOf(large).code).toBe('root.request_too_large');
  });

  it('accepts passwords at the 1024-byte limit and odd but valid characters (then 401, not 400)', async () => {
    const h = await harness({ users: [{ username: 'dan', password: 'é'.repeat(512) }] });
    expect((await h.login({ username: 'dan', password: 'é'.repeat(512) })).status).toBe(200);
    expect((await h.login({ username: 'dan', password: '\u0001\ud83d\ude80 \t' })).status).toBe(401);
  });

  it('characters no store can hold (NUL, a lone surrogate) are 400 naming the field, never 502 or 500', async () => {
    const h = await harness({ users: [{ username: 'dan', password: 'correct-pw-123' }] });
    for (const [body, field] of [
      [{ username: '\u0000', password: 'x' }, 'username'],
      [{ username: 'dan', password: '\u0000\ud800 ' }, 'password'],
    ] as const) {
      const res = await h.login(body);
      expect(res.status).toBe(400);
      expect(res.headers['x-cloud-error-codes']).toBe('root.invalid_json_request');
      expect(errorOf(res)).toMatchObject({ fields: [field] });
    }
  });

  it('answers 405 for GET on the login route', async () => {
    // Rendered in the server's default dialect: the core picks the dialect by matched route, and none matched.
    const h = await harness();
    const res = await h.login(undefined, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});
