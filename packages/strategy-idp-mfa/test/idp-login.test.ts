/**
 * IdP logins over HTTP against a real oidc-provider on loopback (OIDC and a plain OAuth2 configuration of the
 * same provider), through openid-client on our side. Every ID token refusal is a real openid-client check,
 * identified by the reasonCode in the audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@gatehouse-auth/core';
import { startApp, type TestApp } from './support/app.js';
import { startTestIdp, type TestIdp } from './support/oidc-idp.js';
import { startTamperIdp, VICTIM_EMAIL, type TamperIdp, type TamperMode } from './support/tamper-idp.js';
import { addUser, nextTotpStep, totpAt } from './support/users.js';
import { expectConnectError, expectNoSecrets, expectSeedLoginBody } from './support/seed-schema.js';

let idp: TestIdp;
let tamper: TamperIdp;
let liar: TamperIdp;
let app: TestApp;
const audit: AuditEvent[] = [];

const lastReason = () => audit.at(-1)?.reasonCode;

beforeAll(async () => {
  idp = await startTestIdp({
    alice: { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Liddell' },
    bob: { sub: 'bob', email: 'Bob@Example.com', email_verified: true, name: 'Bob' },
    carol: { sub: 'carol', email: 'carol@example.com', email_verified: true, name: 'Carol' },
    dave: { sub: 'dave', email: 'dave@example.com', email_verified: true, name: 'Dave' },
    erin: { sub: 'erin', email: 'erin@example.com', email_verified: true, name: 'Erin' },
    mallory: { sub: 'mallory', email: 'victim@example.com', email_verified: false, name: 'Mallory' },
    nomail: { sub: 'nomail', name: 'No Mail' },
    frank: { sub: 'frank', email: 'frank@example.com', email_verified: true },
    weird: { sub: 'weird', email: 'not an email', email_verified: true },
    // Only for the account-linking tests below (no link may exist for it beforehand).
    eve: { sub: 'eve', email: 'eve@example.com', email_verified: true, name: 'Eve' },
  });
  tamper = await startTamperIdp(idp);
  liar = await startTamperIdp(idp);
  liar.mode = 'lying-discovery';
  const client = { clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, allowInsecureHttpForTesting: true };
  const oauth2 = { type: 'oauth2' as const, tokenEndpoint: `${idp.issuer}/token`, userinfoEndpoint: `${idp.issuer}/me`, ...client };
  app = await startApp(
    {
      idps: {
        corp: { type: 'oidc', issuer: idp.issuer, ...client },
        'corp-jit': { type: 'oidc', issuer: idp.issuer, jit: true, ...client },
        gh: { ...oauth2, jit: true, authorizationEndpoint: `${idp.issuer}/auth`, scopes: ['openid', 'email'] },
        'gh-strict': oauth2,
        tampered: { type: 'oidc', issuer: tamper.issuer, ...client },
        liar: { type: 'oidc', issuer: liar.issuer, ...client },
        down: { type: 'oidc', issuer: 'http://127.0.0.1:9', ...client, timeoutMs: 1000 },
        broken: { ...oauth2, tokenEndpoint: `${tamper.issuer}/nothing-here` },
      },
    },
    { gatehouse: { audit: (e) => void audit.push(e) } },
  );
});

afterAll(async () => {
  await app.close();
  await tamper.close();
  await liar.close();
  await idp.close();
});

const oidc = (name: string, code: string, extra: Record<string, unknown> = {}) =>
  app.login({ idpName: `idps/${name}`, idpContext: { oidcContext: { code } }, ...extra });
const oauth = (name: string, code: string, extra: Record<string, unknown> = {}) =>
  app.login({ idpName: `idps/${name}`, idpContext: { oauth2Context: { code } }, ...extra });

describe('OIDC', () => {
  it('code → token for an existing user (matched by email, then linked)', async () => {
    const { user } = await addUser(app, { email: 'alice@example.com' });
    const res = await oidc('corp', await idp.authorizationCode('alice'));
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expectNoSecrets(res.body);
    expect(res.body.user).toMatchObject({ name: 'users/alice@example.com', email: 'alice@example.com', profile: { source: 'password' } });
    expect(res.body.requireResetPassword).toBe(false);
    const verified = await app.gatehouse.issuer.verify(res.body.token);
    expect(verified.subject.id).toBe(user.id);
    expect(verified.claims).toMatchObject({ amr: ['fed'], idp: 'idps/corp' });
    expect((await app.gatehouse.stores.users.findByIdpLink('corp', 'alice'))?.id).toBe(user.id);
    // Second login: found through the link.
    expect((await oidc('corp', await idp.authorizationCode('alice'))).status).toBe(200);
  });

  it('just-in-time user creation when enabled for the IdP', async () => {
    const res = await oidc('corp-jit', await idp.authorizationCode('bob'));
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expect(res.body.user).toMatchObject({ name: 'users/bob@example.com', email: 'bob@example.com', profile: { source: 'idps/corp-jit' } });
    const stored = await app.gatehouse.stores.users.getByEmail('bob@example.com');
    expect(stored).toMatchObject({ displayName: 'Bob', passwordHash: null });
  });

  it('unknown email with JIT off → 401, and no user is created', async () => {
    const res = await oidc('corp', await idp.authorizationCode('dave'));
    expectConnectError(res, 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_user_unknown');
    expect(await app.gatehouse.stores.users.getByEmail('dave@example.com')).toBeNull();
  });

  it('an email the IdP marks unverified never takes over an account', async () => {
    await addUser(app, { email: 'victim@example.com' });
    const res = await oidc('corp-jit', await idp.authorizationCode('mallory'));
    expectConnectError(res, 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_email_unverified');
    expect(await app.gatehouse.stores.users.findByIdpLink('corp-jit', 'mallory')).toBeNull();
  });

  it('an IdP account without email cannot log in (nothing to match)', async () => {
    expectConnectError(await oidc('corp-jit', await idp.authorizationCode('nomail')), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_email_missing');
  });

  it('JIT refuses (401, not 400/500) when the email is taken as a username by another account, or is not an email', async () => {
    await app.gatehouse.stores.users.create({ username: 'frank@example.com', email: 'someone-else@example.com', displayName: 'F' }, app.clock.now());
    expectConnectError(await oidc('corp-jit', await idp.authorizationCode('frank')), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_jit_conflict');
    expectConnectError(await oidc('corp-jit', await idp.authorizationCode('weird')), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_email_invalid');
  });

  it('an authorization code works once: the replay is refused (401) before it reaches the IdP; a code the IdP does not know is refused by the IdP', async () => {
    await addUser(app, { email: 'erin@example.com' });
    const code = await idp.authorizationCode('erin');
    expect((await oidc('corp', code)).status).toBe(200);
    const exchanges = idp.requests.get('POST /token') ?? 0;
    expectConnectError(await oidc('corp', code), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_code_replayed');
    expect(idp.requests.get('POST /token') ?? 0).toBe(exchanges);
    expectConnectError(await oidc('corp', 'made-up-code'), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_code_rejected');
  });

  it('of 10 concurrent logins with one authorization code exactly one succeeds, and the IdP sees one exchange', async () => {
    const code = await idp.authorizationCode('erin');
    const exchanges = idp.requests.get('POST /token') ?? 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => app.loginInProcess({ idpName: 'idps/corp', idpContext: { oidcContext: { code } } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(401)]);
    expect((idp.requests.get('POST /token') ?? 0) - exchanges).toBe(1);
  });

  it('OIDC + MFA: the IdP login answers only {mfaTempToken}; the OTP completes it', async () => {
    const carol = await addUser(app, { email: 'carol@example.com', mfa: true });
    nextTotpStep(app.clock);
    const first = await oidc('corp', await idp.authorizationCode('carol'));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ mfaTempToken: expect.any(String) });
    expectSeedLoginBody(first.body);
    const second = await app.login({ mfaTempToken: first.body.mfaTempToken, otpCode: await totpAt(carol.totpSecret, app.clock) });
    expect(second.status).toBe(200);
    expectSeedLoginBody(second.body);
    const claims = (await app.gatehouse.issuer.verify(second.body.token)).claims;
    expect(claims).toMatchObject({ amr: ['fed', 'otp', 'mfa'], idp: 'idps/corp' });
    expect(second.body.user.mfaEnabled).toBe(true);
  });

  it('a deactivated user is refused after the IdP vouched for them', async () => {
    const { user } = await addUser(app, { email: 'alice2@example.com' });
    await app.gatehouse.stores.users.linkIdp(user.id, 'corp', 'dave');
    await app.gatehouse.stores.users.update(user.id, { disabled: true });
    expectConnectError(await oidc('corp', await idp.authorizationCode('dave')), 'unauthenticated', 401);
    expect(lastReason()).toBe('user_disabled');
  });
});

describe('caching', () => {
  it('discovery and the JWKS are fetched once for many logins (per IdP), the token endpoint every time', async () => {
    const fresh = await startApp({
      idps: { once: { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, jit: true, allowInsecureHttpForTesting: true } },
    });
    try {
      const count = (k: string) => idp.requests.get(k) ?? 0;
      const before = { discovery: count('GET /.well-known/openid-configuration'), jwks: count('GET /jwks'), token: count('POST /token') };
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(await idp.authorizationCode('alice'));
      const results = await Promise.all(codes.map((code) => fresh.login({ idpName: 'idps/once', idpContext: { oidcContext: { code } } })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(count('GET /.well-known/openid-configuration') - before.discovery).toBe(1);
      expect(count('GET /jwks') - before.jwks).toBe(1);
      expect(count('POST /token') - before.token).toBe(4);
      // A later login reuses both.
      expect((await fresh.login({ idpName: 'idps/once', idpContext: { oidcContext: { code: await idp.authorizationCode('alice') } } })).status).toBe(200);
      expect(count('GET /.well-known/openid-configuration') - before.discovery).toBe(1);
      expect(count('GET /jwks') - before.jwks).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('OAuth2 (code exchange + userinfo mapping)', () => {
  it('code → token, user created just in time from the userinfo claims', async () => {
    const res = await oauth('gh', await idp.authorizationCode('dave'));
    expect(res.status).toBe(200);
    expectSeedLoginBody(res.body);
    expect(res.body.user).toMatchObject({ email: 'dave@example.com', profile: { source: 'idps/gh' } });
    expect((await app.gatehouse.stores.users.findByIdpLink('gh', 'dave'))?.email).toBe('dave@example.com');
    expect((await app.gatehouse.issuer.verify(res.body.token)).claims).toMatchObject({ idp: 'idps/gh', amr: ['fed'] });
  });

  it('logs an existing user in without JIT; an unknown one is refused', async () => {
    expect((await oauth('gh-strict', await idp.authorizationCode('alice'))).status).toBe(200);
    expectConnectError(await oauth('gh-strict', await idp.authorizationCode('nomail')), 'unauthenticated', 401);
  });

  it('a bad code is 401', async () => {
    expectConnectError(await oauth('gh', 'nope'), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_code_rejected');
  });

  it('builds the authorization URL from the configured endpoint and scopes', async () => {
    const url = await app.strategy.authorizationUrl('gh', { state: 'xyz', http: { request: () => Promise.reject(new Error('no call expected')), close: async () => {} } });
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      redirect_uri: idp.redirectUri,
      scope: 'openid email',
      state: 'xyz',
      client_id: idp.clientId,
      response_type: 'code',
    });
  });
});

describe('request refusals', () => {
  it('unknown IdP → 404 not_found (also for names that exist on Object.prototype)', async () => {
    expectConnectError(await oidc('nope', 'c'), 'not_found', 404);
    expectConnectError(await oidc('constructor', 'c'), 'not_found', 404);
    expectConnectError(await oidc('hasownproperty', 'c'), 'not_found', 404);
  });

  it('wrong context type for the IdP → 400 invalid_argument naming the expected context', async () => {
    const a = await oauth('corp', 'c');
    expectConnectError(a, 'invalid_argument', 400);
    expect(a.body.details[0].debug.fieldViolations).toEqual([{ field: 'idpContext.oidcContext' }]);
    const b = await oidc('gh', 'c');
    expectConnectError(b, 'invalid_argument', 400);
    expect(b.body.details[0].debug.fieldViolations).toEqual([{ field: 'idpContext.oauth2Context' }]);
    const both = await app.login({ idpName: 'idps/corp', idpContext: { oidcContext: { code: 'c' }, oauth2Context: { code: 'c' } } });
    expectConnectError(both, 'invalid_argument', 400);
    expectConnectError(await app.login({ idpName: 'idps/corp' }), 'invalid_argument', 400);
    expectConnectError(await app.login({ idpName: 'idps/corp', idpContext: {} }), 'invalid_argument', 400);
  });
});

describe('ID token validation (openid-client, real checks)', () => {
  it('control: the tampering proxy in honest mode is accepted', async () => {
    tamper.mode = 'honest';
    const before = tamper.tokenRequests;
    const res = await oidc('tampered', await idp.authorizationCode('alice'));
    expect(res.status).toBe(200);
    expect(tamper.tokenRequests).toBe(before + 1);
  });

  const cases: [TamperMode, string][] = [
    ['wrong-audience', 'id_token_aud_mismatch'],
    ['wrong-issuer', 'id_token_iss_mismatch'],
    ['bad-signature', 'id_token_signature_invalid'],
    ['expired', 'id_token_expired'],
  ];
  for (const [mode, reason] of cases) {
    it(`${mode} → 401 (${reason})`, async () => {
      tamper.mode = mode;
      const res = await oidc('tampered', await idp.authorizationCode('alice'));
      expectConnectError(res, 'unauthenticated', 401);
      expect(lastReason()).toBe(reason);
      expect(res.body.token).toBeUndefined();
    });
  }

  for (const mode of ['alg-none', 'alg-hs256'] as const) {
    it(`${mode}, from an IdP that advertises it → 401 (id_token_alg_not_allowed): our allow-list, not the IdP's`, async () => {
      tamper.mode = mode;
      const res = await oidc('tampered', await idp.authorizationCode('alice'));
      expectConnectError(res, 'unauthenticated', 401);
      expect(lastReason()).toBe('id_token_alg_not_allowed');
      expect(res.body.token).toBeUndefined();
    });
  }

  it('expiry follows the injected clock: a fresh ID token is expired two hours later', async () => {
    const now = app.clock.now().getTime();
    try {
      app.clock.advance(2 * 3600_000);
      expectConnectError(await oidc('corp', await idp.authorizationCode('alice')), 'unauthenticated', 401);
      expect(lastReason()).toBe('id_token_expired');
    } finally {
      app.clock.set(now);
    }
    expect((await oidc('corp', await idp.authorizationCode('alice'))).status).toBe(200);
  });
});

describe('account linking: email and email_verified come from one source', () => {
  const victim = async () => (await app.gatehouse.stores.users.getByEmail(VICTIM_EMAIL)) ?? (await addUser(app, { email: VICTIM_EMAIL })).user;

  it('ID token {sub, email_verified: true} without email + userinfo {email: <existing user>, email_verified: false} → 401, nothing linked', async () => {
    const target = await victim();
    tamper.mode = 'mixed-sources';
    const before = tamper.userinfoRequests;
    const res = await oidc('tampered', await idp.authorizationCode('eve'));
    expectConnectError(res, 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_email_unverified');
    expect(tamper.userinfoRequests).toBe(before + 1);
    expect(await app.gatehouse.stores.users.findByIdpLink('tampered', 'eve')).toBeNull();
    expect((await app.gatehouse.stores.users.getById(target.id))?.id).toBe(target.id);
  });

  it('userinfo that does not say whether its email is verified opens no account (assumeEmailVerified is off)', async () => {
    await victim();
    tamper.mode = 'userinfo-unverified-unstated';
    expectConnectError(await oidc('tampered', await idp.authorizationCode('eve')), 'unauthenticated', 401);
    expect(lastReason()).toBe('idp_email_unverified');
    expect(await app.gatehouse.stores.users.findByIdpLink('tampered', 'eve')).toBeNull();
  });

  it('userinfo about another subject than the ID token\'s → 401 (userinfo_subject_mismatch), not an outage', async () => {
    await victim();
    tamper.mode = 'userinfo-sub-mismatch';
    expectConnectError(await oidc('tampered', await idp.authorizationCode('eve')), 'unauthenticated', 401);
    expect(lastReason()).toBe('userinfo_subject_mismatch');
    expect(await app.gatehouse.stores.users.findByIdpLink('tampered', 'eve')).toBeNull();
  });
});

describe('IdP failures are ours, not the caller’s', () => {
  it('a discovery document naming another issuer → 503 unavailable', async () => {
    expectConnectError(await oidc('liar', 'c'), 'unavailable', 503);
    expect(lastReason()).toBe('idp_metadata_mismatch');
  });

  it('a token endpoint answering something that is not an OAuth response → 503 unavailable', async () => {
    expectConnectError(await oauth('broken', 'c'), 'unavailable', 503);
  });

  it('an unreachable IdP → 503 unavailable, no detail leaked', async () => {
    const res = await oidc('down', 'c');
    expectConnectError(res, 'unavailable', 503);
    expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
  });
});
