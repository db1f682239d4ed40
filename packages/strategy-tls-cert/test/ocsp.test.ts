/**
 * OCSP, in process, against the testing kit's responder on loopback (it signs for real): the decision table for
 * an identity that fails closed and one that fails open, both ways a chain arrives (socket, trusted-proxy
 * header); then the cache, nonces, servers override, query-all, signed requests, delegated responders and the
 * outbound rule for certificate URLs.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createGatehouse, ManualClock, type AuditEvent, type GatehouseRequest } from '@gatehouse-auth/core';
import type { CertificateAuthority } from '@gatehouse-auth/testing/certs';
import { createOcspResponder, type OcspResponder } from '@gatehouse-auth/testing/ocsp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLS_CERT_LOGIN_PATH, tlsCertStrategy, type TlsCertConfigInput, type TlsCertStrategyOptions } from '../src/index.js';
import { buildOcspPki, buildPki, createOcspHarness, deadOrigin, HEADER, pemToDer, type OcspHarness, type OcspPki, type Pki, type Presented } from './support/pki.js';

let pki: Pki;
let ocsp: OcspPki;
let h: OcspHarness;

beforeAll(async () => {
  pki = await buildPki();
  ocsp = await buildOcspPki(pki);
  h = await createOcspHarness(pki, ocsp, { certificateHeader: HEADER, trustedProxies: ['127.0.0.1/32'] });
});
afterAll(async () => {
  await ocsp.close();
  await h.gh.close();
});

const viaSocket = (p: Presented, identityId: string): GatehouseRequest => ({
  method: 'POST',
  path: TLS_CERT_LOGIN_PATH,
  headers: { 'content-type': 'application/json' },
  body: { identityId },
  socketAddress: '198.51.100.20',
  protocol: 'https',
  peerCertificates: pemToDer(p.chainPem),
});
const viaHeader = (p: Presented, identityId: string): GatehouseRequest => ({
  method: 'POST',
  path: TLS_CERT_LOGIN_PATH,
  headers: { 'content-type': 'application/json', [HEADER]: encodeURIComponent(p.chainPem) },
  body: { identityId },
  socketAddress: '127.0.0.1',
  protocol: 'http',
});

describe.each([
  ['the TLS socket', viaSocket],
  ['a trusted proxy header', viaHeader],
] as const)('the OCSP decision table, chain from %s', (_name, way) => {
  it('fail closed: good → 200, revoked → certificate_revoked, every other outcome refused with its own reason', async () => {
    const seen = [];
    for (const row of ocsp.decisions) {
      const res = await h.gh.handle(way(row.presented, h.identityId));
      seen.push({ name: row.name, status: res.status, reason: h.lastReason() });
    }
    expect(seen).toEqual(ocsp.decisions.map((r) => ({ name: r.name, status: r.closed.status, reason: r.closed.reason })));
  });

  it('fail open: revoked still refused; the rest admitted with the reason as an audit warning', async () => {
    const seen = [];
    for (const row of ocsp.decisions) {
      const res = await h.gh.handle(way(row.presented, h.openIdentityId));
      const event = h.audit.at(-1)!;
      seen.push({ name: row.name, status: res.status, reason: event.reasonCode, warning: event.detail?.ocspWarning });
      if (res.status === 200) expect(event).toMatchObject({ type: 'login.succeeded', detail: { ocsp: row.open.warning ? 'unverified' : 'good' } });
    }
    expect(seen).toEqual(ocsp.decisions.map((r) => ({ name: r.name, status: r.open.status, reason: r.open.reason, warning: r.open.warning })));
  });
});

describe('the OCSP cache', () => {
  it('answers from cache until nextUpdate by the injected clock, then asks again', async () => {
    const leaf = await ocsp.issuing.issue({ commonName: 'client-cache', subjectAltNames: [{ type: 'dns', value: 'client-cache.prod.svc.cluster.local' }], ocspUrls: [ocsp.responder.url] });
    ocsp.responder.setStatus(leaf.serial, 'good');
    const asked = () => ocsp.responder.received.filter((r) => r.serials.includes(leaf.serial)).length;
    const login = () => h.gh.handle(viaSocket({ chainPem: leaf.chainPem, keyPem: '' }, h.identityId));
    expect((await login()).status).toBe(200);
    expect(asked()).toBe(1);
    expect(h.audit.at(-1)!.detail).toMatchObject({ ocsp: 'good', ocspCached: false });
    expect((await login()).status).toBe(200);
    expect(asked()).toBe(1);
    expect(h.audit.at(-1)!.detail).toMatchObject({ ocsp: 'good', ocspCached: true });
    // Revoked meanwhile: the cached answer stands until its nextUpdate (the responder's 1 h), then the new one counts.
    ocsp.responder.revoke(leaf.serial);
    expect((await login()).status).toBe(200);
    h.clock.set(new Date(pki.now.getTime() + 3600_000 + 1000));
    try {
      expect((await login()).status).toBe(401);
      expect(h.lastReason()).toBe('certificate_revoked');
      expect(asked()).toBe(2);
    } finally {
      h.clock.set(pki.now);
    }
  });

  it('stays within its size bound', async () => {
    const gh = createGatehouse({ strategies: [tlsCertStrategy({ ocsp: { ...ocsp.options.ocsp, cacheSize: 2 } })], clock: new ManualClock(pki.now) });
    const identity = await gh.admin.createIdentity({ name: 'w' });
    await gh.admin.attachMethod(identity.id, 'tls-cert', { ...ocsp.closedConfig, allowedSubjectAltNames: [] });
    const leaves = [];
    for (let i = 0; i < 3; i++) {
      const leaf = await ocsp.issuing.issue({ commonName: `client-lru-${i}`, ocspUrls: [ocsp.responder.url] });
      ocsp.responder.setStatus(leaf.serial, 'good');
      leaves.push(leaf);
    }
    const asked = (serial: string) => ocsp.responder.received.filter((r) => r.serials.includes(serial)).length;
    for (const leaf of leaves) expect((await gh.handle(viaSocket({ chainPem: leaf.chainPem, keyPem: '' }, identity.id))).status).toBe(200);
    // The first entry was evicted by the third: asking again goes to the responder.
    expect((await gh.handle(viaSocket({ chainPem: leaves[0]!.chainPem, keyPem: '' }, identity.id))).status).toBe(200);
    expect(asked(leaves[0]!.serial)).toBe(2);
    expect((await gh.handle(viaSocket({ chainPem: leaves[2]!.chainPem, keyPem: '' }, identity.id))).status).toBe(200);
    expect(asked(leaves[2]!.serial)).toBe(1);
    await gh.close();
  });
});

interface Logged {
  level: 'info' | 'warn';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A Gatehouse with one identity of the given OCSP config; returns a login function, the audit trail and the logs. */
async function single(config: Partial<TlsCertConfigInput>, options: TlsCertStrategyOptions = ocsp.options, extra: { clock?: ManualClock; http?: { allowedOrigins: string[] } } = {}) {
  const audit: AuditEvent[] = [];
  const logs: Logged[] = [];
  const log = (level: Logged['level']) => (obj: object | string, msg?: string) => void logs.push({ level, obj: typeof obj === 'string' ? {} : (obj as Record<string, unknown>), msg: typeof obj === 'string' ? obj : msg });
  const logger = { debug: () => {}, error: () => {}, info: log('info'), warn: log('warn') };
  const gh = createGatehouse({
    strategies: [tlsCertStrategy(options)],
    clock: extra.clock ?? new ManualClock(pki.now),
    audit: (e) => void audit.push(e),
    logger,
    ...(extra.http ? { http: extra.http } : {}),
  });
  const identity = await gh.admin.createIdentity({ name: 'w' });
  await gh.admin.attachMethod(identity.id, 'tls-cert', { ...ocsp.closedConfig, allowedCommonNames: [], allowedSubjectAltNames: [], ...config });
  return {
    login: async (cert: { chainPem: string }) => {
      const res = await gh.handle(viaSocket({ chainPem: cert.chainPem, keyPem: '' }, identity.id));
      return { status: res.status, reason: audit.at(-1)?.reasonCode };
    },
    audit,
    logs,
    close: () => gh.close(),
  };
}

const issueWith = (ca: CertificateAuthority, cn: string, ocspUrls: string[]) => ca.issue({ commonName: cn, ocspUrls });

describe('nonces (RFC 8954)', () => {
  it('sent and checked when asked for; a missing or different nonce is refused; such identities skip the cache', async () => {
    const g = await single({ ocspNonce: true });
    const leaf = await issueWith(ocsp.issuing, 'client-nonce', [ocsp.responder.url]);
    ocsp.responder.setStatus(leaf.serial, 'good');
    expect(await g.login(leaf)).toEqual({ status: 200, reason: undefined });
    expect(await g.login(leaf)).toEqual({ status: 200, reason: undefined });
    const requests = ocsp.responder.received.filter((r) => r.serials.includes(leaf.serial));
    expect(requests).toHaveLength(2);
    expect(requests[0]!.nonce).toMatch(/^0420[0-9a-f]{64}$/); // OCTET STRING of 32 random bytes
    expect(requests[0]!.nonce).not.toBe(requests[1]!.nonce);
    for (const [behaviour, cn] of [
      ['no-nonce', 'client-nonce-missing'],
      ['wrong-nonce', 'client-nonce-wrong'],
    ] as const) {
      const other = await issueWith(ocsp.issuing, cn, [ocsp.responder.url]);
      ocsp.responder.setStatus(other.serial, 'good');
      ocsp.responder.setBehaviour(other.serial, behaviour);
      expect(await g.login(other)).toEqual({ status: 401, reason: 'ocsp_nonce_mismatch' });
    }
    await g.close();
  });

  it('without the setting, no nonce is sent', async () => {
    const leaf = await issueWith(ocsp.issuing, 'client-no-nonce-sent', [ocsp.responder.url]);
    ocsp.responder.setStatus(leaf.serial, 'good');
    const g = await single({});
    expect((await g.login(leaf)).status).toBe(200);
    expect(ocsp.responder.received.at(-1)).toMatchObject({ serials: [leaf.serial], nonce: undefined });
    await g.close();
  });
});

describe('servers override and query-all', () => {
  let a: OcspResponder;
  let b: OcspResponder;
  let recorder: Server;
  let recorded = 0;
  let recorderUrl: string;
  let options: TlsCertStrategyOptions;
  beforeAll(async () => {
    a = await createOcspResponder({ issuers: [ocsp.issuing], clock: { now: () => pki.now } });
    b = await createOcspResponder({ issuers: [ocsp.issuing], clock: { now: () => pki.now } });
    recorder = createServer((_req, res) => {
      recorded++;
      res.writeHead(500).end();
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/ocsp`;
    options = { ocsp: { timeoutMs: 400, allowedResponderOrigins: [a.url, b.url, recorderUrl, await deadOrigin()].map((u) => new URL(u).origin) } };
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), new Promise((resolve) => recorder.close(resolve))]);
  });

  it('an override replaces the certificate’s URLs: they are never contacted', async () => {
    const leaf = await issueWith(ocsp.issuing, 'client-override', [recorderUrl]);
    a.setStatus(leaf.serial, 'good');
    const g = await single({ ocspServersOverride: [a.url] }, options);
    expect(await g.login(leaf)).toEqual({ status: 200, reason: undefined });
    expect(recorded).toBe(0);
    await g.close();
  });

  it('first definite answer wins, in order; a failing responder is passed over', async () => {
    const dead = `${await deadOrigin()}/ocsp`;
    const leaf = await issueWith(ocsp.issuing, 'client-first', []);
    a.setStatus(leaf.serial, 'good');
    const g = await single({ ocspServersOverride: [dead, a.url] }, { ocsp: { ...options.ocsp, allowedResponderOrigins: undefined } });
    expect(await g.login(leaf)).toEqual({ status: 200, reason: undefined });
    await g.close();
  });

  it('query all: every responder must say good; one revoked refuses; one unknown refuses (fail closed)', async () => {
    const g = await single({ ocspServersOverride: [a.url, b.url], ocspQueryAllServers: true }, options);
    const agree = await issueWith(ocsp.issuing, 'client-all-good', []);
    a.setStatus(agree.serial, 'good');
    b.setStatus(agree.serial, 'good');
    expect(await g.login(agree)).toEqual({ status: 200, reason: undefined });
    const revokedAtB = await issueWith(ocsp.issuing, 'client-all-revoked', []);
    a.setStatus(revokedAtB.serial, 'good');
    b.revoke(revokedAtB.serial);
    expect(await g.login(revokedAtB)).toEqual({ status: 401, reason: 'certificate_revoked' });
    const unknownAtB = await issueWith(ocsp.issuing, 'client-all-unknown', []);
    a.setStatus(unknownAtB.serial, 'good');
    expect(await g.login(unknownAtB)).toEqual({ status: 401, reason: 'ocsp_unknown' });
    // Without query-all, A's good answer would have sufficed.
    const first = await single({ ocspServersOverride: [a.url, b.url] }, options);
    expect(await first.login(unknownAtB)).toEqual({ status: 200, reason: undefined });
    await Promise.all([g.close(), first.close()]);
  });

  it('the override is validated when written', async () => {
    const gh = createGatehouse({ strategies: [tlsCertStrategy()] });
    const identity = await gh.admin.createIdentity({ name: 'w' });
    const error = await gh.admin
      .attachMethod(identity.id, 'tls-cert', { ...ocsp.closedConfig, ocspServersOverride: ['http://ok.example/', 'ftp://x/', 'http://user:pw@x/'] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'validation', fields: ['config.ocspServersOverride.1', 'config.ocspServersOverride.2'] });
  });
});

describe('outbound rule for URLs from a certificate', () => {
  let recorder: Server;
  let recorded = 0;
  let port: number;
  beforeAll(async () => {
    recorder = createServer((_req, res) => {
      recorded++;
      res.writeHead(500).end();
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    port = (recorder.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => recorder.close(resolve)));

  it('loopback, link-local, localhost and credential-bearing URLs are not contacted (unless allowed by origin)', async () => {
    const g = await single({}, { ocsp: { timeoutMs: 400 } });
    for (const url of [`http://127.0.0.1:${port}/`, `http://[::1]:${port}/`, `http://localhost:${port}/`, 'http://169.254.169.254/latest/meta-data', `http://u:p@127.0.0.1:${port}/`, 'file:///etc/passwd', 'gopher://127.0.0.1/']) {
      const leaf = await issueWith(ocsp.issuing, 'client-ssrf', [url]);
      expect(await g.login(leaf)).toEqual({ status: 401, reason: 'ocsp_no_responder' });
    }
    expect(recorded).toBe(0);
    await g.close();
    // Listed in allowedResponderOrigins, the same loopback responder is asked.
    const allowed = await single({}, { ocsp: { timeoutMs: 400, allowedResponderOrigins: [`http://127.0.0.1:${port}`] } });
    const leaf = await issueWith(ocsp.issuing, 'client-allowed', [`http://127.0.0.1:${port}/`]);
    expect(await allowed.login(leaf)).toEqual({ status: 401, reason: 'ocsp_http_error' });
    expect(recorded).toBe(1);
    await allowed.close();
  });

  it('a certificate that does not verify never causes a request, whatever URL it names', async () => {
    const before = recorded;
    const g = await single({}, { ocsp: { timeoutMs: 400, allowedResponderOrigins: [`http://127.0.0.1:${port}`] } });
    const { createCa } = await import('@gatehouse-auth/testing/certs');
    const stranger = await createCa({ commonName: 'Attacker CA' });
    const forged = await stranger.issue({ commonName: 'client-forged', ocspUrls: [`http://127.0.0.1:${port}/`] });
    expect(await g.login(forged)).toEqual({ status: 401, reason: 'unknown_ca' });
    expect(recorded).toBe(before);
    await g.close();
  });

  it('allowedResponderOrigins fences overrides too', async () => {
    const g = await single({ ocspServersOverride: [ocsp.responder.url] }, { ocsp: { timeoutMs: 400, allowedResponderOrigins: ['http://ocsp.corp.example'] } });
    const leaf = await issueWith(ocsp.issuing, 'client-fenced', []);
    expect(await g.login(leaf)).toEqual({ status: 401, reason: 'ocsp_no_responder' });
    await g.close();
  });
});

describe('responders that need more', () => {
  // No origin fence: the loopback responders below are reached through servers overrides.
  const overridesOnly: TlsCertStrategyOptions = { ocsp: { timeoutMs: 400 } };

  it('a delegated responder (OCSPSigning, issued by the CA) is authoritative', async () => {
    const delegate = await ocsp.issuing.issue({ commonName: 'Delegated Responder', extKeyUsage: ['OCSPSigning'], ocspNoCheck: true });
    for (const responderId of ['byKey', 'byName'] as const) {
      const delegated = await createOcspResponder({ issuers: [{ ca: ocsp.issuing, delegate }], clock: { now: () => pki.now }, defaultStatus: 'good', responderId });
      const g = await single({ ocspServersOverride: [delegated.url] }, overridesOnly);
      expect(await g.login(await issueWith(ocsp.issuing, 'client-delegated', []))).toEqual({ status: 200, reason: undefined });
      await Promise.all([g.close(), delegated.close()]);
    }
  });

  it('an expired delegated responder certificate is not', async () => {
    const delegate = await ocsp.issuing.issue({
      commonName: 'Expired Responder',
      extKeyUsage: ['OCSPSigning'],
      notBefore: new Date(pki.now.getTime() - 10 * 86_400_000),
      notAfter: new Date(pki.now.getTime() - 86_400_000),
    });
    const delegated = await createOcspResponder({ issuers: [{ ca: ocsp.issuing, delegate }], clock: { now: () => pki.now }, defaultStatus: 'good' });
    const g = await single({ ocspServersOverride: [delegated.url] }, overridesOnly);
    expect(await g.login(await issueWith(ocsp.issuing, 'client-expired-delegate', []))).toEqual({ status: 401, reason: 'ocsp_responder_unauthorized' });
    await Promise.all([g.close(), delegated.close()]);
  });

  it('a responder that requires signed requests: sigRequired, then signed with the configured requestor', async () => {
    const requestor = await pki.root.issue({ commonName: 'Gatehouse OCSP Requestor' });
    const strict = await createOcspResponder({ issuers: [ocsp.issuing], clock: { now: () => pki.now }, defaultStatus: 'good', requireSignedRequests: true, trustedRequestors: [requestor] });
    const leaf = await issueWith(ocsp.issuing, 'client-signed', []);
    const unsigned = await single({ ocspServersOverride: [strict.url] }, overridesOnly);
    expect(await unsigned.login(leaf)).toEqual({ status: 401, reason: 'ocsp_error_response' });
    const signer = { certificate: requestor.certPem, privateKey: requestor.keyPem };
    const signing = await single({ ocspServersOverride: [strict.url] }, { ocsp: { ...overridesOnly.ocsp, requestSigner: signer } });
    expect(await signing.login(leaf)).toEqual({ status: 200, reason: undefined });
    expect(strict.received.slice(-2).map((r) => r.signed)).toEqual([false, true]);
    const always = await single({ ocspServersOverride: [strict.url] }, { ocsp: { ...overridesOnly.ocsp, requestSigner: signer, signRequests: 'always' } });
    expect(await always.login(await issueWith(ocsp.issuing, 'client-signed-always', []))).toEqual({ status: 200, reason: undefined });
    expect(strict.received.at(-1)!.signed).toBe(true);
    expect(strict.received.at(-2)!.signed).toBe(true);
    await Promise.all([unsigned.close(), signing.close(), always.close(), strict.close()]);
  });

  it('start-up refuses a signer whose key does not match, and "always" without a signer', async () => {
    const a = await pki.root.issue({ commonName: 'a' });
    const b = await pki.root.issue({ commonName: 'b' });
    expect(() => tlsCertStrategy({ ocsp: { requestSigner: { certificate: a.certPem, privateKey: b.keyPem } } })).toThrow(/ocsp\.requestSigner/);
    expect(() => tlsCertStrategy({ ocsp: { signRequests: 'always' } })).toThrow(/requestSigner/);
    expect(() => tlsCertStrategy({ ocsp: { allowedResponderOrigins: ['http://x.example/path'] } })).toThrow(/allowedResponderOrigins/);
  });
});

describe('times and fences', () => {
  const open: TlsCertStrategyOptions = { ocsp: { timeoutMs: 400 } };

  it('ocspThisUpdateMaxAge refuses answers produced longer ago (the responder dates them a minute back)', async () => {
    const leaf = await issueWith(ocsp.issuing, 'client-max-age', []);
    ocsp.responder.setStatus(leaf.serial, 'good');
    const strict = await single({ ocspServersOverride: [ocsp.responder.url], ocspThisUpdateMaxAge: 30 }, { ocsp: { timeoutMs: 400, clockSkewSeconds: 0 } });
    expect(await strict.login(leaf)).toEqual({ status: 401, reason: 'ocsp_stale' });
    const lenient = await single({ ocspServersOverride: [ocsp.responder.url], ocspThisUpdateMaxAge: 120 }, { ocsp: { timeoutMs: 400, clockSkewSeconds: 0 } });
    expect(await lenient.login(leaf)).toEqual({ status: 200, reason: undefined });
    await Promise.all([strict.close(), lenient.close()]);
  });

  it('clockSkewSeconds tolerates a responder clock slightly ahead, and only that much', async () => {
    const leaf = await issueWith(ocsp.issuing, 'client-skew', []);
    ocsp.responder.setStatus(leaf.serial, 'good');
    // Gatehouse's clock 3 minutes behind the responder's: thisUpdate (responder − 1 min) is 2 minutes ahead.
    const behind = () => new ManualClock(new Date(pki.now.getTime() - 180_000));
    const tolerant = await single({ ocspServersOverride: [ocsp.responder.url] }, open, { clock: behind() });
    expect(await tolerant.login(leaf)).toEqual({ status: 200, reason: undefined });
    const exact = await single({ ocspServersOverride: [ocsp.responder.url] }, { ocsp: { timeoutMs: 400, clockSkewSeconds: 0 } }, { clock: behind() });
    expect(await exact.login(leaf)).toEqual({ status: 401, reason: 'ocsp_response_not_yet_valid' });
    await Promise.all([tolerant.close(), exact.close()]);
  });

  it('the server-wide outbound allow-list (ctx.http) applies on top', async () => {
    const leaf = await issueWith(ocsp.issuing, 'client-server-fence', []);
    ocsp.responder.setStatus(leaf.serial, 'good');
    const g = await single({ ocspServersOverride: [ocsp.responder.url] }, open, { http: { allowedOrigins: ['https://sts.aliyuncs.com'] } });
    expect(await g.login(leaf)).toEqual({ status: 401, reason: 'ocsp_responder_not_allowed' });
    await g.close();
  });

  it('logs: a refusal names its reason; fail open warns; a name-constraint refusal names the name', async () => {
    const unknown = await issueWith(ocsp.issuing, 'client-log-unknown', []);
    const closed = await single({ ocspServersOverride: [ocsp.responder.url] }, open);
    expect((await closed.login(unknown)).status).toBe(401);
    // Each line carries the request id (the request's child logger binds it once).
    const reqId = expect.stringMatching(/^req-/);
    expect(closed.logs).toContainEqual({ level: 'info', obj: { reqId, reasonCode: 'ocsp_unknown', serial: unknown.serial }, msg: expect.stringMatching(/fail closed/) });
    const failOpen = await single({ ocspServersOverride: [ocsp.responder.url], ocspFailOpen: true }, open);
    expect((await failOpen.login(unknown)).status).toBe(200);
    expect(failOpen.logs).toContainEqual({ level: 'warn', obj: { reqId, reasonCode: 'ocsp_unknown', serial: unknown.serial }, msg: expect.stringMatching(/fail open/) });
    expect(failOpen.audit.at(-1)).toMatchObject({ type: 'login.succeeded', detail: { ocsp: 'unverified', ocspWarning: 'ocsp_unknown' } });
    const evil = pki.decisions.find((d) => d.reason === 'name_not_permitted')!;
    const nc = await single({ ocspEnabled: false, ocspServersOverride: [] }, open);
    expect((await nc.login({ chainPem: evil.presented.chainPem })).reason).toBe('name_not_permitted');
    expect(nc.logs).toContainEqual({ level: 'info', obj: { reqId, reasonCode: 'name_not_permitted', detail: 'dns:evil.test' }, msg: 'client certificate path refused' });
    await Promise.all([closed.close(), failOpen.close(), nc.close()]);
  });
});
