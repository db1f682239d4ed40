import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, exportJWK, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { ManualClock } from '../runtime/clock.js';
import { createMemoryStores } from '../stores/memory.js';
import { harness } from '../test-support/harness.js';
import { DEFAULT_ISSUER_OPTIONS, TokenIssuer, type IssuerOptions } from './issuer.js';
import { tokenSettingsSchema } from './settings.js';

const subject = { type: 'identity' as const, id: 'id-1' };

function setup(options: Partial<IssuerOptions> = {}) {
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const stores = createMemoryStores();
  const issuer = new TokenIssuer(stores.tokens, stores.keys, clock, { ...DEFAULT_ISSUER_OPTIONS, issuer: 'https://auth.test', audience: 'api', ...options });
  return { clock, stores, issuer };
}

async function refusal(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('issue → verify', () => {
  for (const algorithm of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`round-trips with ${algorithm}, kid and typ in the header`, async () => {
      const { issuer } = setup({ algorithm });
      const issued = await issuer.issue({ subject: { ...subject, claims: { email: 'a@b.c', sub: 'spoof' } }, authMethod: 'fake', clientIp: '10.0.0.1' });
      const header = decodeProtectedHeader(issued.token);
      expect(header).toMatchObject({ alg: algorithm, kid: issued.kid, typ: 'at+jwt' });
      const v = await issuer.verify(issued.token);
      expect(v.subject).toEqual(subject);
      expect(v.claims.email).toBe('a@b.c');
      expect(v.claims.iss).toBe('https://auth.test');
      expect(v.authMethod).toBe('fake');
      expect(issued.expiresIn).toBe(2_592_000);
    });
  }
});

describe('JWKS and rotation', () => {
  it('serves every live key; a rotated-out key verifies inside the overlap and fails after', async () => {
    const { issuer, clock } = setup({ overlapSeconds: 3600, keyPropagationSeconds: 600 });
    const first = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 86_400 } });
    const rotated = await issuer.rotateKeys();
    // Published at once, signing only after the propagation window.
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([rotated, first.kid]);
    expect((await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' })).kid).toBe(first.kid);
    clock.advanceSeconds(600);
    const second = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    expect(second.kid).toBe(rotated);
    const jwks = await issuer.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([first.kid, second.kid].sort());
    for (const k of jwks.keys) expect(k).not.toHaveProperty('d');
    clock.advanceSeconds(3599);
    await expect(issuer.verify(first.token)).resolves.toBeTruthy();
    clock.advanceSeconds(2);
    expect((await refusal(issuer.verify(first.token))).reasonCode).toBe('token_unknown_key');
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([second.kid]);
    await expect(issuer.verify(second.token)).resolves.toBeTruthy();
  });

  it('keys persist through the key store: a new issuer on the same store verifies old tokens', async () => {
    const { issuer, stores, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const restarted = new TokenIssuer(stores.tokens, stores.keys, clock, { ...DEFAULT_ISSUER_OPTIONS, issuer: 'https://auth.test', audience: 'api' });
    await expect(restarted.verify(issued.token)).resolves.toMatchObject({ jti: issued.jti });
    const again = await restarted.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    expect(again.kid).toBe(issued.kid);
  });

  it('a rotation by a process that never loaded the keys still retires the current signing key', async () => {
    const { issuer, stores, clock } = setup({ overlapSeconds: 3600 });
    const before = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    // A separate process (an admin command) on the same store rotates without having signed anything.
    const admin = new TokenIssuer(stores.tokens, stores.keys, clock, { ...DEFAULT_ISSUER_OPTIONS, issuer: 'https://auth.test', audience: 'api', overlapSeconds: 3600 });
    const kid = await admin.rotateKeys();
    const keys = await stores.keys.list();
    expect(keys.filter((k) => k.retiredAt === null).map((k) => k.kid)).toEqual([kid]);
    // Signs until the new key's notBefore (12:10, after the default 600 s propagation), verifies an hour more.
    expect(keys.find((k) => k.kid === before.kid)?.retiredAt?.toISOString()).toBe('2026-03-01T12:10:00.000Z');
    expect(keys.find((k) => k.kid === before.kid)?.notAfter?.toISOString()).toBe('2026-03-01T13:10:00.000Z');
  });

  it('rotates automatically when the signing key is older than rotateAfterSeconds', async () => {
    const { issuer, clock } = setup({ rotateAfterSeconds: 60, keyPropagationSeconds: 20, keyRefreshSeconds: 5 });
    const a = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    clock.advanceSeconds(61);
    expect((await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' })).kid).toBe(a.kid);
    clock.advanceSeconds(20);
    const b = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    expect(b.kid).not.toBe(a.kid);
    await expect(issuer.verify(a.token)).resolves.toBeTruthy();
  });
});

describe('refused tokens', () => {
  it('alg none', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const [, payload] = issued.token.split('.');
    const forged = `${b64({ alg: 'none', typ: 'at+jwt', kid: issued.kid })}.${payload}.`;
    expect((await refusal(issuer.verify(forged))).kind).toBe('unauthenticated');
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const { issuer } = setup({ algorithm: 'RS256' });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const jwk = (await issuer.jwks()).keys[0]!;
    const pem = createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString());
    for (const secret of [Buffer.from(pem as string), Buffer.from(JSON.stringify(jwk))]) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: issued.kid, typ: 'at+jwt' }).sign(secret);
      expect((await refusal(issuer.verify(forged))).reasonCode).toBe('token_alg_not_allowed');
    }
  });

  it('a tampered payload', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const [h, p, s] = issued.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
    expect((await refusal(issuer.verify(tampered))).reasonCode).toBe('token_bad_signature');
  });

  it('a token signed by a foreign key that claims our kid', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const { privateKey } = await generateKeyPair('EdDSA');
    const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString());
    const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: issued.kid, typ: 'at+jwt' }).sign(privateKey);
    expect((await refusal(issuer.verify(forged))).reasonCode).toBe('token_bad_signature');
  });

  it('wrong iss, wrong aud, wrong typ', async () => {
    const { issuer, stores, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const other = (o: Partial<IssuerOptions>) => new TokenIssuer(stores.tokens, stores.keys, clock, { ...DEFAULT_ISSUER_OPTIONS, issuer: 'https://auth.test', audience: 'api', ...o });
    expect((await refusal(other({ issuer: 'https://evil.test' }).verify(issued.token))).reasonCode).toBe('token_claim_iss');
    expect((await refusal(other({ audience: 'other-api' }).verify(issued.token))).reasonCode).toBe('token_claim_aud');
    // Same key and claims, but typ JWT (e.g. an ID token from the same keys) is not an access token.
    const [stored] = await stores.keys.list();
    const key = await importJWK(stored!.privateJwk as JWK, stored!.alg);
    const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString());
    const idToken = await new SignJWT(payload).setProtectedHeader({ alg: stored!.alg, kid: stored!.kid, typ: 'JWT' }).sign(key);
    expect((await refusal(issuer.verify(idToken))).reasonCode).toBe('token_claim_typ');
  });

  it('expired and not-yet-valid tokens (with the small leeway)', async () => {
    const { issuer, clock } = setup({ leewaySeconds: 5 });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 60 } });
    clock.advanceSeconds(64);
    await expect(issuer.verify(issued.token, { stateful: 'none' })).resolves.toBeTruthy();
    clock.advanceSeconds(2);
    expect((await refusal(issuer.verify(issued.token))).reasonCode).toBe('token_expired');
    clock.advanceSeconds(-66 - 10);
    expect((await refusal(issuer.verify(issued.token))).reasonCode).toBe('token_claim_nbf');
  });

  it('garbage in every shape', async () => {
    const { issuer } = setup();
    for (const junk of ['', 'a', 'a.b.c', '...', 'x'.repeat(10_000), `${b64({ alg: 'EdDSA' })}.e30.`, '\u0000.\u0000.\u0000']) {
      expect((await refusal(issuer.verify(junk))).kind).toBe('unauthenticated');
    }
  });
});

describe('use limits, revocation, renewal, trusted IPs', () => {
  it('accessTokenNumUsesLimit = N allows exactly N verifications of 50 concurrent', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenNumUsesLimit: 7 } });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => issuer.verify(issued.token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(new Set(rejected.map((r) => (r.reason as AuthError).reasonCode))).toEqual(new Set(['token_exhausted']));
    // 'check' does not consume, 'none' does not touch the store: neither is blocked by nor changes the count.
    await expect(issuer.verify(issued.token, { stateful: 'none' })).resolves.toBeTruthy();
    expect((await issuer.introspect(issued.token)).active).toBe(false);
  });

  it('revocation by token id and by identity', async () => {
    const { issuer, clock } = setup();
    const a = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const b = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    await issuer.revoke(a.token);
    expect((await refusal(issuer.verify(a.token))).reasonCode).toBe('token_revoked');
    await expect(issuer.verify(b.token)).resolves.toBeTruthy();
    clock.advanceSeconds(1);
    await issuer.revokeSubject(subject);
    expect((await refusal(issuer.verify(b.token))).reasonCode).toBe('token_revoked');
    clock.advanceSeconds(1);
    const c = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    await expect(issuer.verify(c.token)).resolves.toBeTruthy();
    const other = await issuer.issue({ subject: { type: 'identity', id: 'id-2' }, authMethod: 'fake', clientIp: '10.0.0.1' });
    await expect(issuer.verify(other.token)).resolves.toBeTruthy();
  });

  it('renew extends within max TTL and refuses past it', async () => {
    const { issuer, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 100, accessTokenMaxTTL: 250 } });
    clock.advanceSeconds(90);
    const r1 = await issuer.renew(issued.token);
    expect(r1.jti).toBe(issued.jti);
    expect(r1.expiresIn).toBe(100);
    clock.advanceSeconds(90);
    const r2 = await issuer.renew(r1.token);
    expect(r2.expiresIn).toBe(70); // capped by the max TTL (250 - 180)
    expect(r2.accessTokenMaxTTL).toBe(250);
    clock.advanceSeconds(69);
    await expect(issuer.verify(r2.token)).resolves.toBeTruthy();
    clock.advanceSeconds(1);
    const err = await refusal(issuer.renew(r2.token));
    expect(['max_ttl_exceeded', 'token_expired']).toContain(err.reasonCode);
    // A revoked session can't be renewed either.
    const fresh = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    await issuer.revoke(fresh.token);
    expect((await refusal(issuer.renew(fresh.token))).reasonCode).toBe('token_revoked');
  });

  it('renew keeps the token\'s public claims (a username stays a username) and never lets a claim override a registered one', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({
      subject: { type: 'user', id: 'u-1', claims: { username: 'alice', email: 'alice@example.com', sub: 'forged', aud: 'forged' } },
      authMethod: 'ece-password',
      settings: { accessTokenTTL: 60, accessTokenMaxTTL: 600 },
      clientIp: '10.0.0.1',
    });
    const renewed = await issuer.renew(issued.token);
    const claims = decodeJwt(renewed.token);
    expect(claims).toMatchObject({ username: 'alice', email: 'alice@example.com', sub: 'u-1', aud: issuer.options.audience, auth_method: 'ece-password' });
    expect(renewed.subject).toEqual({ type: 'user', id: 'u-1', claims: { username: 'alice', email: 'alice@example.com' } });
    // And again: a renewal of a renewal keeps them too.
    expect(decodeJwt((await issuer.renew(renewed.token)).token)).toMatchObject({ username: 'alice', email: 'alice@example.com' });
  });

  it('renewal budget is refused exactly at max TTL even while the token itself is alive', async () => {
    const { issuer, clock } = setup({ leewaySeconds: 0 });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 100, accessTokenMaxTTL: 100 } });
    clock.advanceSeconds(99);
    const r = await issuer.renew(issued.token);
    expect(r.expiresIn).toBe(1);
    clock.advanceSeconds(1);
    expect((await refusal(issuer.renew(r.token))).kind).toBe('unauthenticated');
  });

  it('trusted IPs are checked at login and at every use', async () => {
    const { issuer } = setup();
    const settings = { accessTokenTrustedIps: ['10.0.0.0/8', '2001:db8::/32'] };
    const err = await refusal(issuer.issue({ subject, authMethod: 'fake', clientIp: '192.168.1.1', settings }));
    expect([err.kind, err.reasonCode]).toEqual(['forbidden', 'ip_not_trusted']);
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '::ffff:10.1.2.3', settings });
    await expect(issuer.verify(issued.token, { clientIp: '10.9.9.9' })).resolves.toBeTruthy();
    await expect(issuer.verify(issued.token, { clientIp: '2001:db8::1' })).resolves.toBeTruthy();
    expect((await refusal(issuer.verify(issued.token, { clientIp: '11.0.0.1' }))).reasonCode).toBe('ip_not_trusted');
    expect((await refusal(issuer.verify(issued.token, { clientIp: 'not-an-ip' }))).reasonCode).toBe('ip_not_trusted');
  });
});

const RS_SECRET = 'resource-server-secret-0123456789';

describe('token routes through the pipeline', () => {
  it('login → introspect → renew → revoke, and trusted-IP refusal at login is a 403', async () => {
    const { gh, login, request, identity } = await harness({ introspectionSecret: RS_SECRET });
    const res = await login({});
    const { accessToken } = res.body as { accessToken: string };
    const rs = { authorization: `Bearer ${RS_SECRET}` };
    const intro = await gh.handle(request({ path: '/api/v1/auth/token/introspect', body: { token: accessToken }, headers: rs }));
    expect(intro.body).toMatchObject({ active: true, sub: identity.id, sub_type: 'identity', auth_method: 'fake' });
    const renewed = await gh.handle(request({ path: '/api/v1/auth/token/renew', body: { accessToken } }));
    expect(renewed.status).toBe(200);
    expect(Object.keys(renewed.body as object).sort()).toEqual(['accessToken', 'accessTokenMaxTTL', 'expiresIn', 'tokenType']);
    const revoked = await gh.handle(request({ path: '/api/v1/auth/token/revoke', body: { accessToken } }));
    expect(revoked.status).toBe(200);
    const after = await gh.handle(request({ path: '/api/v1/auth/token/introspect', body: { token: accessToken }, headers: rs }));
    expect(after.body).toEqual({ active: false });
    const jwks = await gh.handle(request({ method: 'GET', path: '/.well-known/jwks.json', body: undefined }));
    expect((jwks.body as { keys: unknown[] }).keys).toHaveLength(1);

    await gh.admin.attachMethod(identity.id, 'fake', { secret: 'correct-horse' }, { accessTokenTrustedIps: ['10.0.0.0/8'] });
    const denied = await login({});
    expect(denied.status).toBe(403);
    expect((denied.body as { error: string }).error).toBe('PermissionDenied');
    const viaProxy = await login({}, { headers: { 'x-forwarded-for': '10.1.1.1' } });
    expect(viaProxy.status).toBe(403); // trustProxy is off by default: the header is ignored
  });

  it('introspection requires caller authentication by default (RFC 7662 §2.1): with no secret configured every call is refused', async () => {
    const { gh, login, request, audit } = await harness();
    const { accessToken } = (await login({})).body as { accessToken: string };
    for (const headers of [{}, { authorization: 'Bearer anything-at-all-1234' }]) {
      const res = await gh.handle(request({ path: '/api/v1/auth/token/introspect', body: { token: accessToken }, headers }));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="introspection"');
      expect(JSON.stringify(res.body)).not.toContain('active');
      expect(audit.at(-1)).toMatchObject({ type: 'endpoint.failed', reasonCode: 'introspection_not_configured' });
    }
  });

  it('introspection with secrets: any configured one works (rotation), a wrong or missing one is 401; the use is not counted', async () => {
    const second = 'second-rs-secret-0123456789';
    const { gh, login, request, identity } = await harness({ introspectionSecret: [RS_SECRET, second] });
    await gh.admin.attachMethod(identity.id, 'fake', { secret: 'correct-horse' }, { accessTokenNumUsesLimit: 1 });
    const { accessToken } = (await login({})).body as { accessToken: string };
    const call = (authorization?: string) =>
      gh.handle(request({ path: '/api/v1/auth/token/introspect', body: { token: accessToken }, headers: authorization ? { authorization } : {} }));
    for (const bad of [undefined, `Bearer ${RS_SECRET}x`, `Basic ${RS_SECRET}`, 'Bearer ']) expect((await call(bad)).status).toBe(401);
    expect((await call(`Bearer ${second}`)).body).toMatchObject({ active: true });
    // The refused calls did not spend the token's single use; the accepted one did.
    expect((await call(`bearer ${RS_SECRET}`)).body).toEqual({ active: false });
  });

  it('introspectionOpen serves it without authentication; short secrets are refused at start', async () => {
    const { gh, login, request } = await harness({ introspectionOpen: true });
    const { accessToken } = (await login({})).body as { accessToken: string };
    expect((await gh.handle(request({ path: '/api/v1/auth/token/introspect', body: { token: accessToken } }))).body).toMatchObject({ active: true });
    await expect(harness({ introspectionSecret: 'short' })).rejects.toThrow(/at least 16 characters/);
  });

  it('keys created by one Gatehouse verify in another sharing the stores (two instances)', async () => {
    const stores = createMemoryStores();
    const a = await harness({ stores });
    const { accessToken } = (await a.login({})).body as { accessToken: string };
    const { gh: b } = await harness({ stores });
    await expect(b.issuer.verify(accessToken, { stateful: 'check' })).resolves.toBeTruthy();
  });
});

it('exportJWK of generated keys keeps private members out of the JWKS', async () => {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  expect(await exportJWK(publicKey)).not.toHaveProperty('d');
});

describe('JWS structure checks of the verification fast path', () => {
  it('refuses crit and b64 headers, non-base64url characters, extra segments and wrong-length signatures', async () => {
    const { issuer, stores } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const [stored] = await stores.keys.list();
    const priv = createPrivateKey({ key: stored!.privateJwk as never, format: 'jwk' });
    const payloadPart = issued.token.split('.')[1]!;
    for (const extra of [{ crit: ['exp'] }, { b64: false, crit: ['b64'] }, { b64: true }]) {
      const head = b64({ alg: 'EdDSA', kid: stored!.kid, typ: 'at+jwt', ...extra });
      const sig = sign(null, Buffer.from(`${head}.${payloadPart}`), priv).toString('base64url');
      expect((await refusal(issuer.verify(`${head}.${payloadPart}.${sig}`))).reasonCode).toBe('token_invalid');
    }
    const [h, p, s] = issued.token.split('.');
    for (const bad of [`${h}.${p}.${s}.x`, `${h}.${p}.${s}=`, `${h}.${p}+.${s}`, `${h}.${p}.${s!.slice(0, -2)}`, `${h}..${s}`, `.${p}.${s}`]) {
      expect((await refusal(issuer.verify(bad))).kind).toBe('unauthenticated');
    }
  });

  it('a token whose kid names a key of another algorithm is refused', async () => {
    const { issuer } = setup({ algorithm: 'ES256' });
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    const [, p, s] = issued.token.split('.');
    const relabelled = `${b64({ alg: 'EdDSA', kid: issued.kid, typ: 'at+jwt' })}.${p}.${s}`;
    expect((await refusal(issuer.verify(relabelled))).reasonCode).toBe('token_unknown_key');
  });
});

describe('periodic tokens (accessTokenPeriod)', () => {
  const periodic = { accessTokenPeriod: 3600, accessTokenTTL: 60, accessTokenMaxTTL: 120 };

  it('live for one period, renewed by the period with no max TTL: renewals inside the period go on indefinitely', async () => {
    const { issuer, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: periodic });
    expect([issued.expiresIn, issued.accessTokenMaxTTL]).toEqual([3600, 0]);
    expect(decodeJwt(issued.token).exp! - decodeJwt(issued.token).iat!).toBe(3600);
    let token = issued.token;
    // A year of renewals, each 59 minutes after the last: far past any TTL or max TTL the identity has.
    for (let i = 0; i < 24 * 365; i++) {
      clock.advanceSeconds(3540);
      const renewed = await issuer.renew(token);
      expect([renewed.expiresIn, renewed.accessTokenMaxTTL]).toEqual([3600, 0]);
      expect(renewed.expiresAt.getTime()).toBe(clock.now().getTime() + 3_600_000);
      token = renewed.token;
    }
    await expect(issuer.verify(token)).resolves.toBeTruthy();
  });

  it('a missed renewal ends it: the token and the session expire at the end of the period, and renew is refused', async () => {
    const { issuer, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: periodic });
    clock.advanceSeconds(3000);
    const renewed = await issuer.renew(issued.token);
    clock.advanceSeconds(3600);
    // exactly at the end of the period: the session is over (the JWT's leeway does not extend it)
    expect((await refusal(issuer.renew(renewed.token))).reasonCode).toBe('token_expired');
    expect((await refusal(issuer.verify(renewed.token))).reasonCode).toBe('token_expired');
    clock.advanceSeconds(3600);
    expect((await refusal(issuer.renew(renewed.token))).reasonCode).toBe('token_expired');
  });

  it('one second before the end of the period a renewal still extends it', async () => {
    const { issuer, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: periodic });
    clock.advanceSeconds(3599);
    const renewed = await issuer.renew(issued.token);
    expect(renewed.expiresAt.getTime()).toBe(clock.now().getTime() + 3_600_000);
  });

  it('without a period, renewals stop at the max TTL as before', async () => {
    const { issuer, clock } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 60, accessTokenMaxTTL: 120 } });
    expect(issued.accessTokenMaxTTL).toBe(120);
    clock.advanceSeconds(50);
    const first = await issuer.renew(issued.token);
    clock.advanceSeconds(50);
    const second = await issuer.renew(first.token);
    expect(second.expiresAt.getTime()).toBe(issued.issuedAt.getTime() + 120_000);
    clock.advanceSeconds(10);
    const third = await issuer.renew(second.token);
    expect(third.expiresAt.getTime()).toBe(issued.issuedAt.getTime() + 120_000);
    clock.advanceSeconds(11);
    expect((await refusal(issuer.renew(third.token))).reasonCode).toBe('token_expired');
  });

  it('a revoked periodic token is not renewed', async () => {
    const { issuer } = setup();
    const issued = await issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: periodic });
    await issuer.revoke(issued.token);
    expect((await refusal(issuer.renew(issued.token))).reasonCode).toBe('token_revoked');
  });

  it('the setting is validated: an integer of seconds, at most ten years', () => {
    expect(() => tokenSettingsSchema.parse({ accessTokenPeriod: -1 })).toThrow();
    expect(() => tokenSettingsSchema.parse({ accessTokenPeriod: 1.5 })).toThrow();
    expect(() => tokenSettingsSchema.parse({ accessTokenPeriod: 315_360_001 })).toThrow();
    expect(tokenSettingsSchema.parse({}).accessTokenPeriod).toBe(0);
  });
});
