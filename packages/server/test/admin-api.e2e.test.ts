/**
 * Issue 18, must-show 2: the admin API end to end over HTTP on PostgreSQL — the production server of
 * `startServer` (Fastify, every strategy, an mTLS listener) with `admin.enabled`, its store on the PostgreSQL of
 * DATABASE_URL (skipped without it, like every PostgreSQL suite). For each machine method (alicloud, oci,
 * tls-cert): attach, read and update it over HTTP, then a real login uses it — signed by Alibaba's own signing
 * code against the STS emulator, by the OCI SDK's signer against the OCI Identity emulator, over a real mTLS
 * handshake — and revoking it ends its tokens. Refusals (no credential, wrong scope, revoked credential, a login
 * token, bad fields) each answer a clear 4xx naming the problem, and the database, read back with its own
 * connection, shows nothing was written.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildAlicloudLoginBody, buildOciLoginBody, loginWithTlsCert, TlsCertLoginError } from '@gatehouse-auth/client';
import { createCa, type CertificateAuthority, type IssuedCertificate } from '@gatehouse-auth/testing/certs';
import { createOciIdentityEmulator, createOciTestUser, type OciIdentityEmulator, type OciTestUser } from '@gatehouse-auth/testing/oci';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { startServer, type RunningServer } from '../src/start-server.js';

const DATABASE_URL = process.env.DATABASE_URL || undefined;
const OCI_HOST = 'identity.us-ashburn-1.oraclecloud.com';
const ACCOUNT = '1234567890123456';
const ARN = `acs:ram::${ACCOUNT}:user/e2e-machine`;
const ACCESS_KEY = 'LTAIadmine2e000000000000';
const stsSecret = randomBytes(20).toString('base64url');
const schema = `gh_admin_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;

let sts: StsEmulator;
let oci: OciIdentityEmulator;
let ociUser: OciTestUser;
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let client: IssuedCertificate;
let server: RunningServer;
let db: pg.Client;
let logs = '';
/** Admin tokens: every scope, read-only, one method only, revoked. */
const tokens = { all: '', reader: '', aliOnly: '', revoked: '' };
const ids = { reader: '', revoked: '' };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${tokens.all}` }): Promise<Answer> {
  const res = await fetch(`${server.urls.http}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const issuePaths = (a: Answer) => (a.body.message as { path: string }[]).map((i) => i.path);
const methodPath = (segment: string, identityId: string) => `/api/v1/auth/${segment}/identities/${identityId}`;

async function post(path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${server.urls.http}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Everything an admin write could change, read back from PostgreSQL over a connection of its own. */
async function database() {
  const rows = async (sql: string) => (await db.query(sql)).rows;
  return {
    identities: await rows(`SELECT id, name, organization_slug, created_at FROM "${schema}".gatehouse_identities ORDER BY id`),
    // config_enc is re-encrypted (new IV) on every write: any rewrite of a method shows here.
    methods: await rows(`SELECT identity_id, method, config_enc, token, created_at, updated_at FROM "${schema}".gatehouse_identity_methods ORDER BY identity_id, method`),
    users: await rows(`SELECT id, username, password_hash, mfa_enabled FROM "${schema}".gatehouse_users ORDER BY id`),
    credentials: await rows(`SELECT id, revoked_at, last_used_at FROM "${schema}".gatehouse_admin_credentials ORDER BY id`),
    sessions: await rows(`SELECT jti, revoked_at FROM "${schema}".gatehouse_token_sessions ORDER BY jti`),
  };
}

async function alicloudLogin(identityId: string): Promise<Answer> {
  return post('/api/v1/auth/alicloud-auth/login', buildAlicloudLoginBody({ identityId, accessKeyId: ACCESS_KEY, accessKeySecret: stsSecret }));
}

let ociSecond = 0;
let ociBase = 0;
async function ociLogin(identityId: string): Promise<Answer> {
  // One signature is one login (the strategy refuses it again): each login signs at another second, counted back
  // from one fixed time (counting back from each call's own Date.now() can land on the previous call's second).
  ociBase ||= Date.now();
  const body = await buildOciLoginBody({ identityId, userOcid: ociUser.id, tenancyOcid: ociUser.tenancyId, fingerprint: ociUser.fingerprint, privateKeyPem: ociUser.privateKeyPem, region: 'us-ashburn-1', now: new Date(ociBase - 1000 * ociSecond++) });
  return post('/api/v1/auth/oci-auth/login', body);
}

async function tlsLogin(identityId: string): Promise<Answer> {
  try {
    const login = await loginWithTlsCert({ baseUrl: server.urls.https!, identityId, certPem: client.chainPem, keyPem: client.keyPem, caPem: ca.certPem });
    return { status: 200, body: login as unknown as Record<string, unknown> };
  } catch (err) {
    if (err instanceof TlsCertLoginError) return { status: err.status, body: (err.body ?? {}) as Record<string, unknown> };
    throw err;
  }
}

/** Whether the server still honours an access token (its own stateful check: revocation included; a bound token's key is not at hand here). */
async function honoured(accessToken: string): Promise<boolean> {
  return server.gatehouse.issuer.verify(accessToken, { stateful: 'check', presentation: 'unchecked' }).then(
    () => true,
    () => false,
  );
}

describe.runIf(DATABASE_URL)('admin API end to end over HTTP on PostgreSQL', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    sts = await createStsEmulator({ accessKeys: [{ id: ACCESS_KEY, secret: stsSecret, arn: ARN, accountId: ACCOUNT, principalId: '1', identityType: 'RAMUser' }] });
    ociUser = createOciTestUser({ name: 'e2e-machine' });
    oci = await createOciIdentityEmulator({ users: [ociUser] });
    [ca, otherCa] = await Promise.all([createCa({ commonName: 'Admin E2E CA' }), createCa({ commonName: 'Some Other CA' })]);
    client = await ca.issue({ commonName: 'e2e-client', extKeyUsage: ['clientAuth'] });
    const tlsServer = await ca.issue({ commonName: 'localhost', extKeyUsage: ['serverAuth'], subjectAltNames: [{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }] });
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-admin-e2e-'));
    writeFileSync(join(dataDir, 'server.pem'), tlsServer.chainPem);
    writeFileSync(join(dataDir, 'server-key.pem'), tlsServer.keyPem, { mode: 0o600 });
    const { config } = resolveConfig(
      {
        encryptionKey: randomBytes(32).toString('base64'),
        store: { driver: 'postgres', url: DATABASE_URL, schema },
        server: { port: 0, tls: { port: 0, certFile: 'server.pem', keyFile: 'server-key.pem' } },
        admin: { enabled: true },
        log: { level: 'info' },
        strategies: {
          alicloud: { stsEndpoints: { global: sts.url } },
          oci: { relayOverride: { origins: { [OCI_HOST]: oci.url } } },
        },
      },
      dataDir,
    );
    server = await startServer(
      { config, path: join(dataDir, 'gatehouse.config.json'), dataDir },
      { env: {}, logDestination: new Writable({ write: (c, _e, cb) => ((logs += String(c)), cb()) }), out: new Writable({ write: (_c, _e, cb) => cb() }) },
    );
    // Admin tokens come from the CLI (`gatehouse admin token create`), which calls the same method on the store.
    const make = (name: string, scopes: string[]) => server.gatehouse.admin.createAdminCredential({ name, scopes });
    tokens.all = (await make('e2e all', ['*:write'])).token;
    const reader = await make('e2e reader', ['*:read']);
    tokens.reader = reader.token;
    ids.reader = reader.credential.id;
    tokens.aliOnly = (await make('e2e alicloud only', ['alicloud-auth:write'])).token;
    const revoked = await make('e2e revoked', ['*:write']);
    tokens.revoked = revoked.token;
    ids.revoked = revoked.credential.id;
    await server.gatehouse.admin.revokeAdminCredential(revoked.credential.id);
    const { default: pgModule } = await import('pg');
    db = new pgModule.Client({ connectionString: DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await sts?.close();
    await oci?.close();
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.end();
  });

  it('the server says at start that the admin API is on, and warns that no admin token is live yet', () => {
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number; adminApi?: boolean; adminTokens?: number });
    expect(lines.find((l) => l.msg.startsWith('admin API enabled'))).toMatchObject({ adminApi: true, adminTokens: 0 });
    expect(lines.some((l) => l.level === 40 && /the admin API is on but no admin token is live/.test(l.msg))).toBe(true);
  });

  it('the server says at start which library signs its EdDSA tokens (libsodium: sodium-native is installed here)', () => {
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; signing?: unknown });
    expect(lines.find((l) => l.msg === 'gatehouse listening')?.signing).toEqual({ algorithm: 'EdDSA', library: 'libsodium' });
  });

  it('the served OpenAPI document has the admin routes, each with the admin security scheme and its scope', async () => {
    const doc = (await (await fetch(`${server.urls.http}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown; parameters?: { name: string; in: string }[] }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const segment of ['alicloud-auth', 'oci-auth', 'tls-cert-auth']) {
      const item = doc.paths[`/api/v1/auth/${segment}/identities/{identityId}`]!;
      expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'patch', 'post']);
      expect(item.post!.security).toEqual([{ adminToken: [`${segment}:write`] }]);
      expect(item.get!.security).toEqual([{ adminToken: [`${segment}:read`] }]);
      expect(item.patch!.parameters).toContainEqual(expect.objectContaining({ name: 'identityId', in: 'path' }));
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/identities', '/api/v1/identities/{identityId}', '/api/v1/admin/users', '/api/v1/admin/users/{userId}/password', '/api/v1/admin/users/{userId}/mfa']));
  });

  it('alicloud: attach, read and update over HTTP; a login signed with Alibaba\'s signing code uses it; revoking it ends its tokens', async () => {
    const identity = await admin('POST', '/api/v1/identities', { name: 'e2e-alicloud' });
    expect(identity.status).toBe(200);
    const id = (identity.body.identity as { id: string }).id;
    const path = methodPath('alicloud-auth', id);

    const attached = await admin('POST', path, { allowedArns: `acs:ram::${ACCOUNT}:user/someone-else` });
    expect(attached.status).toBe(200);
    expect(attached.body.identityAliCloudAuth).toMatchObject({ identityId: id, type: 'iam', allowedArns: `acs:ram::${ACCOUNT}:user/someone-else`, accessTokenTTL: 2592000 });
    // The stored config decides the login: this ARN is not allowed yet.
    expect((await alicloudLogin(id)).status).toBe(401);

    const updated = await admin('PATCH', path, { allowedArns: `acs:ram::${ACCOUNT}:user/someone-else, ${ARN}`, accessTokenTTL: 600, accessTokenMaxTTL: 1200 });
    expect(updated.status).toBe(200);
    const read = await admin('GET', path);
    expect(read).toEqual(updated);
    expect(read.body.identityAliCloudAuth).toMatchObject({ allowedArns: `acs:ram::${ACCOUNT}:user/someone-else, ${ARN}`, accessTokenTTL: 600, accessTokenMaxTTL: 1200 });

    const login = await alicloudLogin(id);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ expiresIn: 600, accessTokenMaxTTL: 1200, tokenType: 'Bearer' });
    const accessToken = login.body.accessToken as string;
    expect(await honoured(accessToken)).toBe(true);

    const revoked = await admin('DELETE', path);
    expect(revoked.status).toBe(200);
    expect((revoked.body.identityAliCloudAuth as { identityId: string }).identityId).toBe(id);
    expect(await honoured(accessToken)).toBe(false);
    expect((await admin('GET', path)).status).toBe(404);
    expect((await alicloudLogin(id)).status).toBe(404);
    expect((await admin('GET', `/api/v1/identities/${id}`)).body.identity).toMatchObject({ id, authMethods: [] });
  });

  it('oci: attach, read and update over HTTP; a login signed by the OCI SDK uses it; revoking it ends its tokens', async () => {
    const id = ((await admin('POST', '/api/v1/identities', { name: 'e2e-oci' })).body.identity as { id: string }).id;
    const path = methodPath('oci-auth', id);
    const wrongTenancy = createOciTestUser().tenancyId;

    const attached = await admin('POST', path, { tenancyOcid: wrongTenancy, accessTokenNumUsesLimit: 3 });
    expect(attached.status).toBe(200);
    expect(attached.body.identityOciAuth).toMatchObject({ identityId: id, tenancyOcid: wrongTenancy, allowedUsernames: null, accessTokenNumUsesLimit: 3 });
    expect((await ociLogin(id)).status).toBe(401);

    const updated = await admin('PATCH', path, { tenancyOcid: ociUser.tenancyId, allowedUsernames: `ops, ${ociUser.name}` });
    expect(updated.status).toBe(200);
    expect((await admin('GET', path)).body.identityOciAuth).toMatchObject({ tenancyOcid: ociUser.tenancyId, allowedUsernames: `ops, ${ociUser.name}`, accessTokenNumUsesLimit: 3 });

    const login = await ociLogin(id);
    expect(login.status).toBe(200);
    const accessToken = login.body.accessToken as string;
    expect(await honoured(accessToken)).toBe(true);

    // Narrowing the allow-list takes effect at the next login.
    expect((await admin('PATCH', path, { allowedUsernames: 'ops' })).status).toBe(200);
    expect((await ociLogin(id)).status).toBe(401);

    expect((await admin('DELETE', path)).status).toBe(200);
    expect(await honoured(accessToken)).toBe(false);
    expect((await admin('GET', path)).status).toBe(404);
  });

  it('tls-cert: attach, read and update over HTTP; a login over a real mTLS handshake uses it; revoking it ends its tokens', async () => {
    const id = ((await admin('POST', '/api/v1/identities', { name: 'e2e-tls' })).body.identity as { id: string }).id;
    const path = methodPath('tls-cert-auth', id);

    const attached = await admin('POST', path, { caCertificate: otherCa.certPem, allowedCommonNames: 'e2e-client' });
    expect(attached.status).toBe(200);
    expect(attached.body.identityTlsCertAuth).toMatchObject({ identityId: id, allowedCommonNames: 'e2e-client' });
    // Our client certificate does not chain to that CA.
    expect((await tlsLogin(id)).status).toBe(401);

    const updated = await admin('PATCH', path, { caCertificate: ca.certPem, accessTokenCertificateBound: true });
    expect(updated.status).toBe(200);
    const read = await admin('GET', path);
    expect(read.body.identityTlsCertAuth).toMatchObject({ caCertificate: expect.stringContaining(ca.certPem.trim()), allowedCommonNames: 'e2e-client', accessTokenCertificateBound: true });

    const login = await tlsLogin(id);
    expect(login.status).toBe(200);
    const accessToken = login.body.accessToken as string;
    // Certificate-bound, as the update asked (cnf x5t#S256 of the client certificate).
    expect(JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).cnf).toHaveProperty(['x5t#S256']);
    expect(await honoured(accessToken)).toBe(true);

    // A CN outside the allow-list is the strategy's 403 (a valid certificate, not allowed for this identity).
    expect((await admin('PATCH', path, { allowedCommonNames: 'someone-else' })).status).toBe(200);
    expect((await tlsLogin(id)).status).toBe(403);

    const removed = await admin('DELETE', path);
    expect(removed.status).toBe(200);
    expect(await honoured(accessToken)).toBe(false);
    expect((await admin('GET', path)).status).toBe(404);
    expect((await tlsLogin(id)).status).toBe(404);
  });

  it('refusals: no credential, wrong scope, revoked credential, a login token, bad fields — a clear 4xx naming the problem, and nothing written', async () => {
    const id = ((await admin('POST', '/api/v1/identities', { name: 'e2e-refusals' })).body.identity as { id: string }).id;
    const path = methodPath('alicloud-auth', id);
    expect((await admin('POST', path, { allowedArns: ARN })).status).toBe(200);
    const login = await alicloudLogin(id);
    expect(login.status).toBe(200);
    const loginToken = login.body.accessToken as string;
    const before = await database();
    const change = { allowedArns: `acs:ram::${ACCOUNT}:role/attacker` };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const refusals: [string, () => Promise<Answer>, number, RegExp, string?][] = [
      ['no credential', () => admin('PATCH', path, change, {}), 401, /Admin routes need Authorization: Bearer <admin token>/],
      ['no credential, create identity', () => admin('POST', '/api/v1/identities', { name: 'x' }, {}), 401, /Admin routes need Authorization/],
      ['a read-only credential', () => admin('PATCH', path, change, bearer(tokens.reader)), 403, /^This admin token lacks the scope alicloud-auth:write$/],
      ['a read-only credential deleting an identity', () => admin('DELETE', `/api/v1/identities/${id}`, undefined, bearer(tokens.reader)), 403, /^This admin token lacks the scope identities:write$/],
      ['a credential for another resource', () => admin('POST', methodPath('oci-auth', id), { tenancyOcid: ociUser.tenancyId }, bearer(tokens.aliOnly)), 403, /^This admin token lacks the scope oci-auth:write$/],
      ['a revoked credential', () => admin('PATCH', path, change, bearer(tokens.revoked)), 401, /^This admin token has been revoked$/],
      ['a login token', () => admin('PATCH', path, change, bearer(loginToken)), 401, /never accept an access token from a login/],
      ['a login token on a read', () => admin('GET', '/api/v1/identities', undefined, bearer(loginToken)), 401, /never accept an access token from a login/],
      ['a bad ARN', () => admin('PATCH', path, { allowedArns: 'arn:aws:iam::123456789012:role/x' }), 422, /./, 'allowedArns'],
      ['a bad trusted IP', () => admin('PATCH', path, { accessTokenTrustedIps: [{ ipAddress: '300.1.1.1' }] }), 422, /./, 'accessTokenTrustedIps.0.ipAddress'],
      ['TTL above max TTL', () => admin('PATCH', path, { accessTokenTTL: 7200, accessTokenMaxTTL: 60 }), 422, /./, 'accessTokenMaxTTL'],
      ['an unknown field', () => admin('PATCH', path, { ...change, role: 'admin' }), 422, /./, 'role'],
      ['a bad identity name', () => admin('POST', '/api/v1/identities', { name: '' }), 422, /./, 'name'],
      ['a weak password', () => admin('POST', '/api/v1/admin/users', { username: 'mallory', password: 'password123' }), 422, /./, 'password'],
      ['malformed JSON', () => admin('PATCH', path, '{"allowedArns":'), 400, /not valid JSON/],
      ['a body over the size limit', () => admin('PATCH', path, { allowedArns: 'x'.repeat(70 * 1024) }), 413, /too large/],
      ['an unknown identity', () => admin('PATCH', methodPath('alicloud-auth', 'no-such-identity'), change), 404, /^Identity not found$/],
      ['a method the identity does not have', () => admin('PATCH', methodPath('oci-auth', id), { tenancyOcid: ociUser.tenancyId }), 404, /does not have OCI Auth attached/],
    ];
    for (const [what, send, status, message, field] of refusals) {
      const answer = await send();
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect(answer.body).toMatchObject({ statusCode: status, reqId: expect.stringMatching(/^req-/) });
      if (field) expect({ what, paths: issuePaths(answer) }).toEqual({ what, paths: expect.arrayContaining([field]) });
      else expect(answer.body.message, what).toMatch(message);
    }

    const after = await database();
    expect(after.identities).toEqual(before.identities);
    expect(after.methods).toEqual(before.methods);
    expect(after.users).toEqual(before.users);
    expect(after.sessions).toEqual(before.sessions);
    // The refused credentials were not marked used; only the credential whose requests were let through (and then
    // refused for their content) records that it was used.
    const credential = (rows: typeof before.credentials, credentialId: string) => rows.find((r) => r.id === credentialId);
    expect(credential(after.credentials, ids.reader)).toEqual(credential(before.credentials, ids.reader));
    expect(credential(after.credentials, ids.revoked)).toEqual(credential(before.credentials, ids.revoked));
    expect(after.credentials.map((r) => r.revoked_at)).toEqual(before.credentials.map((r) => r.revoked_at));
    // The login token still works: refusing it on an admin route did not touch it.
    expect(await honoured(loginToken)).toBe(true);

    // Every one of them is an audit event naming its reason; the identified credentials are named, never their secrets.
    const audits = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { audit?: { type: string; reasonCode?: string; actor?: { id: string; name: string } } })
      .flatMap((l) => (l.audit?.type === 'admin.failed' ? [l.audit] : []));
    const reasons = audits.map((a) => a.reasonCode);
    for (const reason of ['admin_credential_missing', 'admin_scope_missing', 'admin_credential_revoked', 'login_token_refused', 'schema_validation_failed', 'identity_not_found']) expect(reasons).toContain(reason);
    expect(audits.find((a) => a.reasonCode === 'admin_credential_revoked')!.actor).toEqual({ type: 'admin_credential', id: ids.revoked, name: 'e2e revoked' });
    expect(audits.find((a) => a.reasonCode === 'admin_scope_missing')!.actor).toMatchObject({ id: ids.reader, name: 'e2e reader' });
    for (const secret of Object.values(tokens)) expect(logs).not.toContain(secret.slice(4));
    expect(logs).not.toContain(loginToken.split('.')[2]);
  });

  it('password users over HTTP: create, reset the password (the old one stops working, its tokens are revoked), turn MFA off', async () => {
    const login = (password: string) => post('/api/v1/users/auth/_login', { username: 'e2e-operator', password });
    const created = await admin('POST', '/api/v1/admin/users', { username: 'E2E-Operator', password: 'first-e2e-passphrase', email: 'operator@e2e.example' });
    expect(created.status).toBe(200);
    const userId = (created.body.user as { id: string }).id;
    const first = await login('first-e2e-passphrase');
    expect(first.status).toBe(200);
    const sessionToken = first.body.token as string;
    expect(await honoured(sessionToken)).toBe(true);

    const reset = await admin('POST', `/api/v1/admin/users/${userId}/password`, { password: 'second-e2e-passphrase' });
    expect(reset.status).toBe(200);
    expect(await honoured(sessionToken)).toBe(false);
    expect((await login('first-e2e-passphrase')).status).toBe(401);
    expect((await login('second-e2e-passphrase')).status).toBe(200);

    await server.gatehouse.stores.users.setMfa(userId, { totpSecret: 'JBSWY3DPEHPK3PXP', pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    const off = await admin('DELETE', `/api/v1/admin/users/${userId}/mfa`);
    expect(off.status).toBe(200);
    expect(off.body.user).toMatchObject({ id: userId, mfaEnabled: false });
    expect((await database()).users.find((u) => u.id === userId)).toMatchObject({ mfa_enabled: false });
  });

  it('admin routes are not login routes: no login rate limit applies to them', async () => {
    const statuses = await Promise.all(Array.from({ length: 70 }, () => admin('GET', '/api/v1/identities', undefined, { authorization: `Bearer ${tokens.reader}` }).then((a) => a.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
