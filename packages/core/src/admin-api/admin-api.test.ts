/**
 * The admin API through the framework-neutral pipeline (memory stores, manual clock, the core's fake strategies
 * with an Infisical-style admin description): routes and OpenAPI, every refusal with its reason and nothing
 * written, the method lifecycle, identities, password users, and the audit trail.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';
import type { GatehouseRequest } from '../contract/http.js';
import { generateAdminToken } from './token-format.js';

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const ALL = ['*:write'];

async function setup(options: { adminApi?: false } = {}) {
  const h = await harness(options.adminApi === false ? {} : { adminApi: { passwordHashing: CHEAP } });
  const call = (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    h.gh.handle({
      method,
      path,
      headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      socketAddress: '127.0.0.1',
      protocol: 'http',
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    } satisfies GatehouseRequest);
  const credential = async (scopes: string[], extra: { expiresInSeconds?: number } = {}) => (await h.gh.admin.createAdminCredential({ name: `ci ${scopes.join(' ')}`, scopes, ...extra }));
  /** Everything an admin write could change, to show a refusal changed nothing. */
  const snapshot = async () => ({
    identities: await h.gh.stores.identities.list(),
    methods: await Promise.all((await h.gh.stores.identities.list()).map((i) => h.gh.stores.identities.listMethods(i.id))),
    users: await h.gh.stores.users.list(),
  });
  return { ...h, call, credential, snapshot };
}

const methodPath = (identityId: string, segment = 'fake-auth') => `/api/v1/auth/${segment}/identities/${identityId}`;

describe('admin API: off by default', () => {
  it('no admin route, no admin path in OpenAPI, and the paths are not found', async () => {
    const h = await setup({ adminApi: false });
    expect(h.gh.routes().some((r) => r.endpoint.id.startsWith('admin.'))).toBe(false);
    const doc = h.gh.openapi() as { paths: Record<string, unknown>; components?: unknown };
    expect(Object.keys(doc.paths).filter((p) => p.includes('identities') || p.includes('/admin/'))).toEqual([]);
    expect(doc.components).toBeUndefined();
    const { token } = await h.credential(ALL);
    expect((await h.call('GET', '/api/v1/identities', { token })).status).toBe(404);
    expect((await h.call('GET', methodPath(h.identity.id), { token })).status).toBe(404);
  });
});

describe('admin API: start-up', () => {
  it('refuses to start on stores without the admin credentials port, rather than failing each request', async () => {
    const { createGatehouse } = await import('../runtime/container.js');
    const { createMemoryStores } = await import('../stores/memory.js');
    const { adminCredentials: _gone, ...older } = createMemoryStores();
    expect(() => createGatehouse({ stores: older as never, adminApi: true })).toThrow(/adminApi needs stores with the adminCredentials port/);
    expect(() => createGatehouse({ stores: older as never })).not.toThrow();
  });
});

describe('admin API: routes and OpenAPI', () => {
  it('every route is served and documented with the admin security scheme, its scope and the path parameter', async () => {
    const h = await setup();
    const admin = h.gh.routes().filter((r) => r.endpoint.id.startsWith('admin.'));
    expect(admin.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'DELETE /api/v1/admin/users/{userId}/mfa',
        'DELETE /api/v1/auth/fake-auth/identities/{identityId}',
        'DELETE /api/v1/auth/fake-bb-auth/identities/{identityId}',
        'DELETE /api/v1/auth/fake-ece-auth/identities/{identityId}',
        'DELETE /api/v1/identities/{identityId}',
        'GET /api/v1/admin/users',
        'GET /api/v1/admin/users/{userId}',
        'GET /api/v1/auth/fake-auth/identities/{identityId}',
        'GET /api/v1/auth/fake-bb-auth/identities/{identityId}',
        'GET /api/v1/auth/fake-ece-auth/identities/{identityId}',
        'GET /api/v1/identities',
        'GET /api/v1/identities/{identityId}',
        'PATCH /api/v1/auth/fake-auth/identities/{identityId}',
        'PATCH /api/v1/auth/fake-bb-auth/identities/{identityId}',
        'PATCH /api/v1/auth/fake-ece-auth/identities/{identityId}',
        'POST /api/v1/admin/users',
        'POST /api/v1/admin/users/{userId}/password',
        'POST /api/v1/auth/fake-auth/identities/{identityId}',
        'POST /api/v1/auth/fake-bb-auth/identities/{identityId}',
        'POST /api/v1/auth/fake-ece-auth/identities/{identityId}',
        'POST /api/v1/identities',
      ].sort(),
    );
    expect(admin.every((r) => !r.login)).toBe(true);
    const doc = h.gh.openapi() as { paths: Record<string, Record<string, Record<string, unknown>>>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const attach = doc.paths['/api/v1/auth/fake-auth/identities/{identityId}']!.post!;
    expect(attach.security).toEqual([{ adminToken: ['fake-auth:write'] }]);
    expect(attach.parameters).toEqual([{ name: 'identityId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } }]);
    expect(Object.keys((attach.requestBody as { content: { 'application/json': { schema: { properties: object } } } }).content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['secret', 'allowedNames', 'accessTokenTTL', 'accessTokenMaxTTL', 'accessTokenNumUsesLimit', 'accessTokenTrustedIps']),
    );
    expect(doc.paths['/api/v1/auth/fake-auth/identities/{identityId}']!.get!.security).toEqual([{ adminToken: ['fake-auth:read'] }]);
    expect(doc.paths['/api/v1/identities']!.post!.security).toEqual([{ adminToken: ['identities:write'] }]);
    expect(doc.paths['/api/v1/admin/users/{userId}/password']!.post!.security).toEqual([{ adminToken: ['users:write'] }]);
    // Login routes carry no security requirement.
    expect(doc.paths['/api/v1/auth/fake/login']!.post!.security).toBeUndefined();
  });
});

describe('admin API: who may call it', () => {
  it('each refusal has its own status and reason, names the problem, writes nothing, and is audited', async () => {
    const h = await setup();
    const reader = await h.credential(['fake-auth:read']);
    const revoked = await h.credential(ALL);
    await h.gh.admin.revokeAdminCredential(revoked.credential.id);
    const expiring = await h.credential(ALL, { expiresInSeconds: 60 });
    h.clock.advance(60_000);
    const login = await h.login({});
    expect(login.status).toBe(200);
    const accessToken = (login.body as { accessToken: string }).accessToken;
    const body = { secret: 'another-secret-value' };
    const path = methodPath(h.identity.id);
    const before = await h.snapshot();
    const cases: [string, Parameters<typeof h.call>[2], number, string, RegExp][] = [
      ['no credential', { body }, 401, 'admin_credential_missing', /Authorization: Bearer <admin token>/],
      ['a login token', { body, token: accessToken }, 401, 'login_token_refused', /never accept an access token from a login/],
      ['a login token as DPoP', { body, headers: { authorization: `DPoP ${accessToken}` } }, 401, 'login_token_refused', /never accept an access token/],
      ['Basic auth', { body, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }, 401, 'admin_credential_malformed', /must be: Bearer <admin token>/],
      ['a random bearer value', { body, token: 'hunter2-not-a-token' }, 401, 'admin_credential_malformed', /not an admin token/],
      ['an unknown admin token', { body, token: generateAdminToken() }, 401, 'admin_credential_unknown', /Unknown admin token/],
      ['a revoked credential', { body, token: revoked.token }, 401, 'admin_credential_revoked', /has been revoked/],
      ['an expired credential', { body, token: expiring.token }, 401, 'admin_credential_expired', /has expired/],
      ['a read-only credential', { body, token: reader.token }, 403, 'admin_scope_missing', /lacks the scope fake-auth:write/],
    ];
    for (const [what, opts, status, reason, message] of cases) {
      const n = h.audit.length;
      const res = await h.call('PATCH', path, opts);
      expect(res.status, what).toBe(status);
      expect((res.body as { message: string }).message, what).toMatch(message);
      if (status === 401) expect(res.headers['www-authenticate'], what).toBe('Bearer realm="gatehouse-admin"');
      const event = h.audit.slice(n).find((e) => e.endpoint === 'admin.fake.update')!;
      expect(event, what).toMatchObject({ type: 'admin.failed', reasonCode: reason, status, detail: { params: { identityId: h.identity.id } } });
      expect(JSON.stringify(event)).not.toContain(accessToken);
      for (const c of [revoked, expiring, reader]) expect(JSON.stringify(event)).not.toContain(c.token);
    }
    expect(await h.snapshot()).toEqual(before);
    // The credentials that were identified are named in their refusals (never the secret); none was marked used.
    const actors = h.audit.filter((e) => e.type === 'admin.failed').map((e) => e.actor?.id ?? null);
    expect(actors).toEqual([null, null, null, null, null, null, revoked.credential.id, expiring.credential.id, reader.credential.id]);
    expect((await h.gh.stores.adminCredentials.get(reader.credential.id))!.lastUsedAt).toBeNull();
  });

  it('authorization comes before validation: a caller without a credential learns nothing of the input rules', async () => {
    const h = await setup();
    const res = await h.call('POST', methodPath(h.identity.id), { body: { nonsense: true } });
    expect(res.status).toBe(401);
    const bad = await h.call('POST', '/api/v1/identities', { body: '{"name":', headers: {} });
    expect(bad.status).toBe(401);
  });

  it('an allowed request marks the credential used (lastUsedAt) and names it as the actor', async () => {
    const h = await setup();
    const { credential, token } = await h.credential(['identities:read']);
    const res = await h.call('GET', '/api/v1/identities', { token });
    expect(res.status).toBe(200);
    expect((await h.gh.stores.adminCredentials.get(credential.id))!.lastUsedAt).toEqual(h.clock.now());
    expect(h.audit.at(-1)).toMatchObject({ type: 'admin.succeeded', endpoint: 'admin.identities.list', actor: { type: 'admin_credential', id: credential.id, name: credential.name }, status: 200 });
    expect(JSON.stringify(h.audit)).not.toContain(token);
  });

  it('scopes: write includes read, * covers every resource, one resource never grants another', async () => {
    const h = await setup();
    const status = async (scopes: string[], method: string, path: string, body?: unknown) => (await h.call(method, path, { token: (await h.credential(scopes)).token, ...(body ? { body } : {}) })).status;
    const path = methodPath(h.identity.id);
    expect(await status(['fake-auth:write'], 'GET', path)).toBe(200);
    expect(await status(['fake-auth:read'], 'GET', path)).toBe(200);
    expect(await status(['fake-ece-auth:write'], 'GET', path)).toBe(403);
    expect(await status(['*:read'], 'GET', path)).toBe(200);
    expect(await status(['*:read'], 'PATCH', path, { accessTokenTTL: 60 })).toBe(403);
    expect(await status(['identities:write'], 'PATCH', path, { accessTokenTTL: 60 })).toBe(403);
    expect(await status(['fake-auth:write'], 'GET', '/api/v1/identities')).toBe(403);
    expect(await status(['users:read'], 'POST', '/api/v1/admin/users', { username: 'x', password: 'a-long-unusual-password' })).toBe(403);
  });
});

describe('admin API: a machine method, Infisical-shaped', () => {
  it('attach / read / update / revoke, with defaults, envelopes and a partial update keeping the rest', async () => {
    const h = await setup();
    const { token } = await h.credential(ALL);
    const created = await h.call('POST', '/api/v1/identities', { token, body: { name: 'builder' } });
    expect(created.status).toBe(200);
    const identityId = (created.body as { identity: { id: string } }).identity.id;
    const path = methodPath(identityId);

    const attached = await h.call('POST', path, { token, body: { secret: 'first-secret-value', allowedNames: 'build, deploy' } });
    expect(attached.status).toBe(200);
    const view = (attached.body as { identityfakeAuth: Record<string, unknown> }).identityfakeAuth;
    expect(view).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      identityId,
      allowedNames: 'build, deploy',
      secretLength: 18,
      accessTokenTTL: 2592000,
      accessTokenMaxTTL: 2592000,
      accessTokenNumUsesLimit: 0,
      accessTokenTrustedIps: [
        { ipAddress: '0.0.0.0', prefix: 0, type: 'ipv4' },
        { ipAddress: '::', prefix: 0, type: 'ipv6' },
      ],
      accessTokenPeriod: 0,
      accessTokenRequireDpop: false,
      accessTokenCertificateBound: false,
      createdAt: h.clock.now().toISOString(),
      updatedAt: h.clock.now().toISOString(),
    });
    const again = await h.call('POST', path, { token, body: { secret: 'first-secret-value' } });
    expect(again.status).toBe(400);
    expect((again.body as { message: string }).message).toBe('The identity already has Fake Auth (fake) attached; update it with PATCH');

    h.clock.advance(1000);
    const updated = await h.call('PATCH', path, { token, body: { accessTokenTTL: 600, accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/8' }, { ipAddress: '192.0.2.1' }, { ipAddress: '2001:db8::', prefix: 32 }] } });
    expect(updated.status).toBe(200);
    const after = (updated.body as { identityfakeAuth: Record<string, unknown> }).identityfakeAuth;
    expect(after).toMatchObject({
      id: view.id,
      allowedNames: 'build, deploy',
      secretLength: 18,
      accessTokenTTL: 600,
      accessTokenMaxTTL: 2592000,
      accessTokenTrustedIps: [
        { ipAddress: '10.0.0.0', prefix: 8, type: 'ipv4' },
        { ipAddress: '192.0.2.1', type: 'ipv4' },
        { ipAddress: '2001:db8::', prefix: 32, type: 'ipv6' },
      ],
      createdAt: view.createdAt,
      updatedAt: h.clock.now().toISOString(),
    });
    const stored = await h.gh.stores.identities.getMethod(identityId, 'fake');
    expect(stored!.config).toEqual({ secret: 'first-secret-value', allowedNames: ['build', 'deploy'] });
    expect(stored!.token.accessTokenTrustedIps).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
    // What a GET gives back can be sent back unchanged.
    const got = await h.call('GET', path, { token });
    expect(got.body).toEqual(updated.body);
    const { id: _id, identityId: _i, secretLength: _s, createdAt: _c, updatedAt: _u, ...writable } = after;
    expect((await h.call('PATCH', path, { token, body: { ...writable, accessTokenPeriod: 0 } })).status).toBe(200);
    expect((await h.gh.stores.identities.getMethod(identityId, 'fake'))!.token.accessTokenTrustedIps).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);

    const removed = await h.call('DELETE', path, { token });
    expect(removed.status).toBe(200);
    expect((removed.body as { identityfakeAuth: { identityId: string } }).identityfakeAuth.identityId).toBe(identityId);
    expect(await h.gh.stores.identities.getMethod(identityId, 'fake')).toBeNull();
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await h.call(method, path, { token, ...(method === 'PATCH' ? { body: { accessTokenTTL: 60 } } : {}) });
      expect(res.status, method).toBe(404);
      expect((res.body as { message: string }).message).toBe('The identity does not have Fake Auth (fake) attached');
    }
  });

  it('revoking a method revokes the tokens it issued to the identity, and only those', async () => {
    const h = await setup();
    const { token } = await h.credential(ALL);
    const viaFake = (await h.login({})).body as { accessToken: string };
    const viaEce = (await h.gh.handle(h.request({ path: '/api/v1/auth/fake-ece/login', body: { identityId: h.identity.id, name: 'build', secret: 'correct-horse' } }))).body as { token: string };
    await h.gh.issuer.verify(viaFake.accessToken, { stateful: 'check' });
    expect((await h.call('DELETE', methodPath(h.identity.id), { token })).status).toBe(200);
    await expect(h.gh.issuer.verify(viaFake.accessToken, { stateful: 'check' })).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expect(h.gh.issuer.verify(viaEce.token, { stateful: 'check' })).resolves.toMatchObject({ authMethod: 'fake-ece' });
    // And the method no longer logs in.
    expect((await h.login({})).status).toBe(404);
  });

  it('bad fields are refused with 422 naming the field in the API\'s terms; nothing is written', async () => {
    const h = await setup();
    const { token } = await h.credential(ALL);
    const path = methodPath(h.identity.id);
    const before = await h.snapshot();
    const cases: [string, string, unknown, string][] = [
      ['POST', 'attach without the required field', { allowedNames: 'a' }, 'secret'],
      ['PATCH', 'a config value the strategy refuses', { allowedNames: 'build, UPPER' }, 'allowedNames'],
      ['PATCH', 'too short for the strategy', { secret: 'short' }, 'secret'],
      ['PATCH', 'a trusted IP that is not one', { accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/8' }, { ipAddress: 'not-an-ip' }] }, 'accessTokenTrustedIps.1.ipAddress'],
      ['PATCH', 'TTL above max TTL', { accessTokenTTL: 7200, accessTokenMaxTTL: 3600 }, 'accessTokenMaxTTL'],
      ['PATCH', 'TTL 0', { accessTokenTTL: 0 }, 'accessTokenTTL'],
      ['PATCH', 'a wrong type', { accessTokenNumUsesLimit: '5' }, 'accessTokenNumUsesLimit'],
      ['PATCH', 'an unknown field', { allowedArns: 'x' }, 'allowedArns'],
      ['PATCH', 'certificate binding on a method without certificates', { accessTokenCertificateBound: true }, 'accessTokenCertificateBound'],
      ['PATCH', 'NUL in a value', { allowedNames: 'a\u0000b' }, 'allowedNames'],
    ];
    // The method must exist for PATCH to reach its checks; POST is refused before anything else is looked at.
    const existing = await h.gh.stores.identities.getMethod(h.identity.id, 'fake');
    for (const [method, what, body, field] of cases) {
      const target = method === 'POST' ? methodPath((await h.gh.admin.createIdentity({ name: 'spare' })).id) : path;
      const beforeThis = await h.snapshot();
      const res = await h.call(method, target, { token, body });
      expect(res.status, what).toBe(422);
      const issues = (res.body as { message: { path: string; message: string }[] }).message;
      expect(issues.map((i) => i.path), what).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('UPPER');
      expect(await h.snapshot(), what).toEqual(beforeThis);
    }
    expect(await h.gh.stores.identities.getMethod(h.identity.id, 'fake')).toEqual(existing);
    // Only the spare identities made for the POST cases were added; none got a method.
    expect((await h.snapshot()).methods.slice(before.methods.length).every((m) => m.length === 0)).toBe(true);
  });

  it('concurrent updates never undo each other, and an update racing a revoke never brings the method back', async () => {
    const h = await setup();
    const { token } = await h.credential(ALL);
    const path = methodPath(h.identity.id);
    const results = await Promise.all([
      h.call('PATCH', path, { token, body: { allowedNames: 'alpha' } }),
      h.call('PATCH', path, { token, body: { accessTokenNumUsesLimit: 5 } }),
      h.call('PATCH', path, { token, body: { accessTokenTTL: 300 } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const stored = (await h.gh.stores.identities.getMethod(h.identity.id, 'fake'))!;
    expect(stored.config).toMatchObject({ allowedNames: ['alpha'] });
    expect(stored.token).toMatchObject({ accessTokenNumUsesLimit: 5, accessTokenTTL: 300 });
    // Of concurrent attaches to one identity exactly one wins; the others are told it is already there.
    const fresh = (await h.gh.admin.createIdentity({ name: 'racing' })).id;
    const attaches = await Promise.all(Array.from({ length: 5 }, (_, i) => h.call('POST', methodPath(fresh), { token, body: { secret: `racing-secret-${i}` } })));
    expect(attaches.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    for (let i = 0; i < 10; i++) {
      const [patched, deleted] = await Promise.all([h.call('PATCH', path, { token, body: { accessTokenTTL: 60 + i } }), h.call('DELETE', path, { token })]);
      expect(deleted.status).toBe(200);
      expect([200, 404]).toContain(patched.status);
      expect(await h.gh.stores.identities.getMethod(h.identity.id, 'fake')).toBeNull();
      expect((await h.call('POST', path, { token, body: { secret: 'correct-horse' } })).status).toBe(200);
    }
  });

  it('an unknown identity is 404 on every verb, and nothing is created', async () => {
    const h = await setup();
    const { token } = await h.credential(ALL);
    for (const method of ['POST', 'GET', 'PATCH', 'DELETE']) {
      const res = await h.call(method, methodPath('no-such-identity'), { token, ...(method === 'POST' || method === 'PATCH' ? { body: { secret: 'long-enough-secret' } } : {}) });
      expect(res.status, method).toBe(404);
      expect((res.body as { message: string }).message).toBe('Identity not found');
    }
    expect(await h.gh.stores.identities.get('no-such-identity')).toBeNull();
  });
});

describe('admin API: identities', () => {
  it('create / list / get / delete in Infisical envelopes; delete revokes every token of the identity', async () => {
    const h = await setup();
    const { token } = await h.credential(['identities:write', 'fake-auth:write']);
    const created = await h.call('POST', '/api/v1/identities', { token, body: { name: 'deployer', organizationSlug: 'acme' } });
    expect(created.status).toBe(200);
    const identity = (created.body as { identity: Record<string, unknown> }).identity;
    expect(identity).toEqual({ id: expect.any(String), name: 'deployer', organizationSlug: 'acme', authMethods: [], createdAt: h.clock.now().toISOString(), updatedAt: h.clock.now().toISOString() });
    const id = identity.id as string;
    await h.call('POST', methodPath(id), { token, body: { secret: 'deployer-secret' } });

    const one = await h.call('GET', `/api/v1/identities/${id}`, { token });
    expect(one.body).toEqual({ identity: { ...identity, authMethods: ['fake-auth'], identityId: id, identity: { id, name: 'deployer', authMethods: ['fake-auth'] } } });
    const list = (await h.call('GET', '/api/v1/identities', { token })).body as { identities: { id: string }[]; totalCount: number };
    expect(list.totalCount).toBe(2);
    expect(list.identities.map((i) => i.id)).toContain(id);

    const login = await h.gh.handle(h.request({ body: { identityId: id, name: 'build', secret: 'deployer-secret' } }));
    const accessToken = (login.body as { accessToken: string }).accessToken;
    h.clock.advance(1000);
    const removed = await h.call('DELETE', `/api/v1/identities/${id}`, { token });
    expect(removed.status).toBe(200);
    expect((removed.body as { identity: { id: string; authMethods: string[] } }).identity).toMatchObject({ id, authMethods: ['fake-auth'] });
    expect(await h.gh.stores.identities.get(id)).toBeNull();
    await expect(h.gh.issuer.verify(accessToken, { stateful: 'check' })).rejects.toMatchObject({ kind: 'unauthenticated' });
    expect((await h.call('GET', `/api/v1/identities/${id}`, { token })).status).toBe(404);
    expect((await h.call('DELETE', `/api/v1/identities/${id}`, { token })).status).toBe(404);
  });

  it('bad fields name themselves (422); a taken id is 400; nothing is written', async () => {
    const h = await setup();
    const { token } = await h.credential(['identities:write']);
    const before = await h.snapshot();
    for (const [body, field] of [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(257) }, 'name'],
      [{ name: 'ok', role: 'admin' }, 'role'],
      [{ name: 'ok', organizationSlug: 7 }, 'organizationSlug'],
    ] as const) {
      const res = await h.call('POST', '/api/v1/identities', { token, body });
      expect(res.status, field).toBe(422);
      expect((res.body as { message: { path: string }[] }).message.map((i) => i.path)).toContain(field);
    }
    const dup = await h.call('POST', '/api/v1/identities', { token, body: { name: 'dup', id: h.identity.id } });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({ message: 'Identity already exists', details: { fields: ['id'] } });
    expect(await h.snapshot()).toEqual(before);
  });
});

describe('admin API: password users', () => {
  it('create under the password policy, reset password (revoking tokens), disable MFA; no secret in any response', async () => {
    const h = await setup();
    const { token } = await h.credential(['users:write']);
    const weak = await h.call('POST', '/api/v1/admin/users', { token, body: { username: 'dora', password: 'password123' } });
    expect(weak.status).toBe(422);
    expect((weak.body as { message: { path: string; message: string }[] }).message).toEqual([{ path: 'password', message: 'is a commonly used password; choose another', code: 'password_too_common' }]);
    expect(JSON.stringify(weak.body)).not.toContain('password123');
    expect(await h.gh.stores.users.list()).toEqual([]);

    const created = await h.call('POST', '/api/v1/admin/users', { token, body: { username: ' Dora ', email: 'Dora@Example.com', password: 'first-unusual-passphrase', requireResetPassword: true } });
    expect(created.status).toBe(200);
    const user = (created.body as { user: Record<string, unknown> }).user;
    expect(user).toMatchObject({ username: 'dora', email: 'dora@example.com', mfaEnabled: false, requireResetPassword: true, source: 'password' });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|first-unusual-passphrase/);
    const id = user.id as string;
    const dup = await h.call('POST', '/api/v1/admin/users', { token, body: { username: 'dora', password: 'another-unusual-passphrase' } });
    expect(dup.status).toBe(400);

    await h.gh.stores.users.setMfa(id, { totpSecret: 'JBSWY3DPEHPK3PXP', pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    await h.gh.stores.users.replaceRecoveryCodes(id, ['a'.repeat(64)]);
    const userToken = await h.gh.issuer.issue({ subject: { type: 'user', id }, authMethod: 'fake-ece', clientIp: '127.0.0.1' });
    h.clock.advance(1000);

    const tooShort = await h.call('POST', `/api/v1/admin/users/${id}/password`, { token, body: { password: 'short' } });
    expect(tooShort.status).toBe(422);
    expect((tooShort.body as { message: { path: string }[] }).message[0]!.path).toBe('password');
    const hashBefore = (await h.gh.stores.users.getById(id))!.passwordHash;
    await h.gh.issuer.verify(userToken.token, { stateful: 'check' });

    const reset = await h.call('POST', `/api/v1/admin/users/${id}/password`, { token, body: { password: 'second-unusual-passphrase' } });
    expect(reset.status).toBe(200);
    expect((reset.body as { user: Record<string, unknown> }).user).toMatchObject({ id, requireResetPassword: false, passwordChangedAt: h.clock.now().toISOString() });
    expect((await h.gh.stores.users.getById(id))!.passwordHash).not.toBe(hashBefore);
    await expect(h.gh.issuer.verify(userToken.token, { stateful: 'check' })).rejects.toMatchObject({ kind: 'unauthenticated' });

    const off = await h.call('DELETE', `/api/v1/admin/users/${id}/mfa`, { token });
    expect(off.status).toBe(200);
    expect((off.body as { user: { mfaEnabled: boolean } }).user.mfaEnabled).toBe(false);
    expect((await h.gh.stores.users.getById(id))!.mfa).toEqual({ totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false });
    expect(await h.gh.stores.users.countRecoveryCodes(id)).toBe(0);
    expect(JSON.stringify(off.body)).not.toContain('JBSWY3DPEHPK3PXP');

    expect((await h.call('POST', '/api/v1/admin/users/nobody/password', { token, body: { password: 'third-unusual-passphrase' } })).status).toBe(404);
    expect((await h.call('DELETE', '/api/v1/admin/users/nobody/mfa', { token })).status).toBe(404);
    const reader = await h.credential(['users:read']);
    const listed = (await h.call('GET', '/api/v1/admin/users', { token: reader.token })).body as { users: { id: string }[]; totalCount: number };
    expect(listed).toMatchObject({ totalCount: 1, users: [{ id }] });
    expect((await h.call('GET', `/api/v1/admin/users/${id}`, { token: reader.token })).body).toMatchObject({ user: { id, username: 'dora' } });
  });
});

describe('admin credentials (GatehouseAdmin)', () => {
  it('the token is returned once and never stored; scopes and expiry are checked and named', async () => {
    const h = await setup();
    const { credential, token } = await h.gh.admin.createAdminCredential({ name: ' terraform ', scopes: ['identities:write', 'fake-auth:write'], expiresInSeconds: 3600 });
    expect(credential).toEqual({ id: expect.any(String), name: 'terraform', scopes: ['identities:write', 'fake-auth:write'], createdAt: h.clock.now(), expiresAt: new Date(h.clock.now().getTime() + 3_600_000), revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(await h.gh.admin.listAdminCredentials())).not.toContain(token);
    await expect(h.gh.admin.createAdminCredential({ name: 'x', scopes: ['alicloud-auth:write'] })).rejects.toMatchObject({ kind: 'validation', fields: ['scopes.0'] });
    await expect(h.gh.admin.createAdminCredential({ name: '', scopes: ['*:read'] })).rejects.toMatchObject({ fields: ['name'] });
    await expect(h.gh.admin.createAdminCredential({ name: 'x', scopes: ['*:read'], expiresInSeconds: 0 })).rejects.toMatchObject({ fields: ['expiresInSeconds'] });
    await expect(h.gh.admin.createAdminCredential({ name: 'x', scopes: ['*:read'], token: 'gha_short' })).rejects.toMatchObject({ fields: ['token'] });
    expect(await h.gh.admin.revokeAdminCredential(credential.id)).toBe(true);
    expect(await h.gh.admin.revokeAdminCredential(credential.id)).toBe(false);
  });
});
