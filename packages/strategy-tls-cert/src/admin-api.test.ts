/** The tls-cert method through the admin API: Infisical's field shapes in and out, refusals named in its terms. */
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { createCa, type CertificateAuthority } from '@gatehouse-auth/testing/certs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tlsCertStrategy } from './strategy.js';

let ca: CertificateAuthority;
let other: CertificateAuthority;
let leafPem: string;
let gh: Gatehouse;
let token: string;
let identityId: string;
const call = (method: string, body?: unknown) =>
  gh.handle({ method, path: `/api/v1/auth/tls-cert-auth/identities/${identityId}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, socketAddress: '127.0.0.1', protocol: 'http', ...(body !== undefined ? { body } : {}) });
const view = (res: { body?: unknown }) => (res.body as { identityTlsCertAuth: Record<string, unknown> }).identityTlsCertAuth;
const issues = (res: { body?: unknown }) => (res.body as { message: { path: string; message: string }[] }).message;

beforeAll(async () => {
  ca = await createCa({ commonName: 'Admin API CA' });
  other = await createCa({ commonName: 'Other CA' });
  leafPem = (await ca.issue({ commonName: 'client', extKeyUsage: ['clientAuth'] })).certPem;
}, 60_000);

beforeEach(async () => {
  gh = createGatehouse({ strategies: [tlsCertStrategy()], adminApi: true });
  token = (await gh.admin.createAdminCredential({ name: 'test', scopes: ['tls-cert-auth:write'] })).token;
  identityId = (await gh.admin.createIdentity({ name: 'tls' })).id;
});

describe('tls-cert admin API', () => {
  it('takes caCertificate (PEM) and allowedCommonNames (comma-separated) and answers them under identityTlsCertAuth', async () => {
    const res = await call('POST', { caCertificate: ca.certPem, allowedCommonNames: 'client, *.svc.example', accessTokenCertificateBound: true });
    expect(res.status).toBe(200);
    expect(view(res)).toMatchObject({ identityId, caCertificate: ca.certPem.endsWith('\n') ? ca.certPem : `${ca.certPem}\n`, allowedCommonNames: 'client,*.svc.example', allowedSubjectAltNames: [], ocspEnabled: false, accessTokenCertificateBound: true });
    expect((await gh.stores.identities.getMethod(identityId, 'tls-cert'))!.config).toMatchObject({ caCertificates: [ca.certPem], allowedCommonNames: ['client', '*.svc.example'] });
  });

  it('a bundle of CA certificates is kept as one per entry and answered as the same bundle; PATCH keeps what it leaves out', async () => {
    const bundle = `${ca.certPem.trim()}\n${other.certPem.trim()}\n`;
    expect((await call('POST', { caCertificate: bundle, allowedCommonNames: null })).status).toBe(200);
    expect((await gh.stores.identities.getMethod(identityId, 'tls-cert'))!.config).toMatchObject({ caCertificates: [`${ca.certPem.trim()}\n`, `${other.certPem.trim()}\n`], allowedCommonNames: [] });
    const patched = view(await call('PATCH', { allowedSubjectAltNames: ['dns:*.svc.example'], ocspEnabled: true }));
    expect(patched).toMatchObject({ caCertificate: bundle, allowedCommonNames: null, allowedSubjectAltNames: ['dns:*.svc.example'], ocspEnabled: true });
  });

  it('a certificate that is not a CA, or not PEM, names caCertificate; a bad SAN pattern names it with its entry; nothing is stored', async () => {
    const leaf = await call('POST', { caCertificate: leafPem });
    expect(leaf.status).toBe(422);
    expect(issues(leaf)[0]).toMatchObject({ path: 'caCertificate', message: expect.stringMatching(/not a CA/) });
    const garbage = await call('POST', { caCertificate: '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n' });
    expect(garbage.status).toBe(422);
    expect(issues(garbage)[0]!.path).toBe('caCertificate');
    const san = await call('POST', { caCertificate: ca.certPem, allowedSubjectAltNames: ['dns:ok.example', 'carrier-pigeon:x'] });
    expect(san.status).toBe(422);
    expect(issues(san)[0]).toMatchObject({ path: 'allowedSubjectAltNames', message: expect.stringMatching(/^entry 2: /) });
    expect(await gh.stores.identities.getMethod(identityId, 'tls-cert')).toBeNull();
  });

  it('what a GET answers goes back through PATCH unchanged (read-only fields left out)', async () => {
    expect((await call('POST', { caCertificate: `${ca.certPem.trim()}\n${other.certPem.trim()}\n`, allowedCommonNames: ['client', 'ci-*'], allowedSubjectAltNames: ['dns:*.example'], accessTokenNumUsesLimit: 9 })).status).toBe(200);
    const stored = await gh.stores.identities.getMethod(identityId, 'tls-cert');
    const got = (await call('GET')).body as { identityTlsCertAuth: Record<string, unknown> };
    expect(got.identityTlsCertAuth.allowedCommonNames).toBe('client,ci-*');
    const { id: _id, identityId: _identity, type: _type, createdAt: _c, updatedAt: _u, ...writable } = got.identityTlsCertAuth;
    const patched = await call('PATCH', writable);
    expect(patched.status).toBe(200);
    const after = await gh.stores.identities.getMethod(identityId, 'tls-cert');
    expect({ config: after!.config, token: after!.token }).toEqual({ config: stored!.config, token: stored!.token });
    expect((await call('GET')).body).toEqual({ identityTlsCertAuth: { ...got.identityTlsCertAuth, updatedAt: expect.any(String) } });
  });
});
