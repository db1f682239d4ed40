/**
 * One PKI and one decision table, shared by every way a certificate reaches the strategy (in-process socket
 * chain, in-process header, real mTLS through each adapter, real HTTP header from a trusted proxy).
 */
import { createGatehouse, ManualClock, type AuditEvent, type Gatehouse } from '@gatehouse-auth/core';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createCa, type CertificateAuthority, type IssuedCertificate, type LeafOptions } from '@gatehouse-auth/testing/certs';
import { createOcspResponder, type OcspBehaviour, type OcspResponder } from '@gatehouse-auth/testing/ocsp';
import { tlsCertStrategy, type RefusalReason, type TlsCertConfigInput, type TlsCertStrategyOptions } from '../../src/index.js';

const DAY = 86_400_000;

/** What a client presents: its certificate chain (leaf first) and the leaf's key. */
export interface Presented {
  chainPem: string;
  keyPem: string;
}

export interface Decision {
  name: string;
  presented: Presented;
  status: number;
  /** The audit reasonCode; undefined for a successful login. */
  reason?: RefusalReason;
}

export interface Pki {
  now: Date;
  root: CertificateAuthority;
  issuing: CertificateAuthority;
  /** Server certificate for 127.0.0.1 / localhost, issued by `root`. */
  server: IssuedCertificate;
  config: TlsCertConfigInput;
  decisions: Decision[];
  /** A valid client (ECDSA leaf under the issuing CA). */
  goodClient: IssuedCertificate;
}

const presented = (cert: IssuedCertificate): Presented => ({ chainPem: cert.chainPem, keyPem: cert.keyPem });

const sans = (cn: string) => [
  { type: 'dns' as const, value: `${cn}.prod.svc.cluster.local` },
  { type: 'uri' as const, value: `spiffe://prod/ns/default/sa/${cn}` },
];

export async function buildPki(now = new Date()): Promise<Pki> {
  const root = await createCa({ commonName: 'Gatehouse Test Root', organization: 'Gatehouse Tests', keyType: 'rsa' });
  const issuing = await root.issueIntermediate({ commonName: 'Gatehouse Test Issuing CA', organization: 'Gatehouse Tests', pathLen: 0 });
  const server = await root.issue({
    commonName: 'localhost',
    extKeyUsage: ['serverAuth'],
    subjectAltNames: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ],
  });

  const leaf = (cn: string, extra: Partial<LeafOptions> = {}, ca: CertificateAuthority = issuing) =>
    ca.issue({ commonName: cn, subjectAltNames: sans(cn), ...extra });

  const rsa = await leaf('client-rsa', { keyType: 'rsa' });
  const ec = await leaf('client-ec', { keyType: 'ec' });
  const ed25519 = await leaf('client-ed25519', { keyType: 'ed25519' });
  const direct = await root.issue({ commonName: 'client-direct', subjectAltNames: [{ type: 'ip', value: '10.1.2.3' }] });
  const mail = await leaf('client-mail', { subjectAltNames: [{ type: 'email', value: 'client-mail@corp.example' }] });

  const otherRoot = await createCa({ commonName: 'Somebody Else Root' });
  const unknown = await leaf('client-unknown', {}, otherRoot);
  // Same subject names as the real CAs, different keys.
  const impostorRoot = await createCa({ commonName: 'Gatehouse Test Root', organization: 'Gatehouse Tests', keyType: 'rsa' });
  const impostorIssuing = await impostorRoot.issueIntermediate({ commonName: 'Gatehouse Test Issuing CA', organization: 'Gatehouse Tests' });
  const impostorLeaf = await leaf('client-impostor', {}, impostorIssuing);
  const impostorDirect = await leaf('client-impostor-direct', {}, impostorRoot);

  const expired = await leaf('client-expired', { notBefore: new Date(now.getTime() - 60 * DAY), notAfter: new Date(now.getTime() - 30 * DAY) });
  const notYet = await leaf('client-future', { notBefore: new Date(now.getTime() + 30 * DAY), notAfter: new Date(now.getTime() + 60 * DAY) });
  const expiredIssuing = await root.issueIntermediate({
    commonName: 'Gatehouse Expired Issuing CA',
    notBefore: new Date(now.getTime() - 400 * DAY),
    notAfter: new Date(now.getTime() - 10 * DAY),
  });
  const underExpired = await leaf('client-under-expired', { notBefore: new Date(now.getTime() - 20 * DAY) }, expiredIssuing);
  const serverOnly = await leaf('client-server-eku', { extKeyUsage: ['serverAuth'] });
  const noEku = await leaf('client-no-eku', { extKeyUsage: [] });
  const intruder = await issuing.issue({ commonName: 'intruder', subjectAltNames: sans('client-intruder') });
  const staging = await issuing.issue({ commonName: 'client-staging', subjectAltNames: [{ type: 'dns', value: 'client-staging.staging.svc.cluster.local' }] });
  const revoked = await leaf('client-revoked');
  const deep = await issuing.issueIntermediate({ commonName: 'Gatehouse Too Deep CA' });
  const tooDeep = await leaf('client-too-deep', {}, deep);
  const revokedIssuing = await root.issueIntermediate({ commonName: 'Gatehouse Revoked Issuing CA' });
  const underRevoked = await leaf('client-under-revoked', {}, revokedIssuing);

  // Name constraints (RFC 5280 §4.2.1.10), enforced whatever their criticality.
  const looselyConstrained = await root.issueIntermediate({
    commonName: 'Gatehouse Non-critical NC CA',
    nameConstraints: { critical: false, permitted: [{ type: 'dns', value: 'example.com' }] },
  });
  // The issue's case: the identity's allow-list is satisfied (by the URI SAN), the constraint is not (evil.test).
  const escapesLoose = await leaf('client-nc-evil', { subjectAltNames: [{ type: 'dns', value: 'evil.test' }, sans('client-nc-evil')[1]!] }, looselyConstrained);
  const constrained = await root.issueIntermediate({
    commonName: 'Gatehouse Critical NC CA',
    pathLen: 0,
    nameConstraints: {
      critical: true,
      permitted: [
        { type: 'dns', value: '.prod.svc.cluster.local' },
        { type: 'uri', value: 'prod' },
      ],
      excluded: [{ type: 'dns', value: '.blocked.prod.svc.cluster.local' }],
    },
  });
  const insideConstrained = await leaf('client-nc-inside', {}, constrained);
  const outsideConstrained = await leaf(
    'client-nc-outside',
    { subjectAltNames: [sans('client-nc-outside')[0]!, { type: 'uri', value: 'spiffe://staging/ns/default/sa/client-nc-outside' }] },
    constrained,
  );
  const excludedConstrained = await leaf(
    'client-nc-excluded',
    { subjectAltNames: [{ type: 'dns', value: 'client-nc-excluded.blocked.prod.svc.cluster.local' }, sans('client-nc-excluded')[1]!] },
    constrained,
  );

  const config: TlsCertConfigInput = {
    caCertificates: [root.certPem],
    allowedCommonNames: ['client-*'],
    allowedSubjectAltNames: ['dns:*.prod.svc.cluster.local', 'uri:spiffe://prod/**', 'ip:10.0.0.0/8', 'email:*@corp.example'],
    // nextUpdate far ahead, so tests can move the clock without the CRLs going stale (crl_expired has its own test).
    crls: [
      issuing.crl({ revoked: [{ serial: revoked.serial }], nextUpdate: new Date(now.getTime() + 5 * 365 * DAY) }),
      root.crl({ revoked: [{ serial: revokedIssuing.serial }], nextUpdate: new Date(now.getTime() + 5 * 365 * DAY) }),
    ],
  };

  const decisions: Decision[] = [
    { name: 'valid RSA leaf via the issuing CA', presented: presented(rsa), status: 200 },
    { name: 'valid ECDSA leaf via the issuing CA', presented: presented(ec), status: 200 },
    { name: 'valid Ed25519 leaf via the issuing CA', presented: presented(ed25519), status: 200 },
    { name: 'valid leaf issued by the root directly (IP SAN in 10.0.0.0/8)', presented: presented(direct), status: 200 },
    { name: 'valid leaf with an email SAN', presented: presented(mail), status: 200 },
    { name: 'unknown CA', presented: presented(unknown), status: 401, reason: 'unknown_ca' },
    { name: 'same-name impostor CAs (root and issuing)', presented: presented(impostorLeaf), status: 401, reason: 'unknown_ca' },
    { name: 'same-name impostor root signing the leaf', presented: presented(impostorDirect), status: 401, reason: 'unknown_ca' },
    { name: 'intermediate not presented', presented: { chainPem: ec.certPem, keyPem: ec.keyPem }, status: 401, reason: 'unknown_ca' },
    { name: 'expired leaf', presented: presented(expired), status: 401, reason: 'certificate_expired' },
    { name: 'not-yet-valid leaf', presented: presented(notYet), status: 401, reason: 'certificate_not_yet_valid' },
    { name: 'expired intermediate', presented: presented(underExpired), status: 401, reason: 'intermediate_expired' },
    { name: 'CA certificate as the leaf (issuing CA)', presented: presented(issuing), status: 401, reason: 'ca_as_leaf' },
    { name: 'CA certificate as the leaf (the configured root)', presented: presented(root), status: 401, reason: 'ca_as_leaf' },
    { name: 'serverAuth-only EKU', presented: presented(serverOnly), status: 401, reason: 'missing_client_auth_eku' },
    { name: 'no EKU extension', presented: presented(noEku), status: 401, reason: 'missing_client_auth_eku' },
    { name: 'CN not allowed', presented: presented(intruder), status: 403, reason: 'cn_not_allowed' },
    { name: 'SAN not allowed', presented: presented(staging), status: 403, reason: 'san_not_allowed' },
    { name: 'leaf revoked by the issuing CA’s CRL', presented: presented(revoked), status: 401, reason: 'certificate_revoked' },
    { name: 'intermediate revoked by the root’s CRL', presented: presented(underRevoked), status: 401, reason: 'intermediate_revoked' },
    { name: 'chain longer than the issuing CA’s pathLen 0', presented: presented(tooDeep), status: 401, reason: 'path_len_exceeded' },
    { name: 'non-critical name constraint (example.com only), SAN evil.test', presented: presented(escapesLoose), status: 401, reason: 'name_not_permitted' },
    { name: 'critical name constraint, every name inside', presented: presented(insideConstrained), status: 200 },
    { name: 'critical name constraint, URI SAN outside the permitted host', presented: presented(outsideConstrained), status: 401, reason: 'name_not_permitted' },
    { name: 'critical name constraint, DNS SAN in an excluded subtree', presented: presented(excludedConstrained), status: 401, reason: 'name_excluded' },
  ];
  return { now, root, issuing, server, config, decisions, goodClient: ec };
}

export interface Harness {
  gh: Gatehouse;
  clock: ManualClock;
  audit: AuditEvent[];
  identityId: string;
  lastReason(): string | undefined;
}

export const HEADER = 'x-ssl-client-cert';

export async function createHarness(pki: Pki, options: TlsCertStrategyOptions = {}): Promise<Harness> {
  const clock = new ManualClock(pki.now);
  const audit: AuditEvent[] = [];
  const gh = createGatehouse({ strategies: [tlsCertStrategy(options)], clock, audit: (e) => void audit.push(e) });
  const identity = await gh.admin.createIdentity({ name: 'workload', organizationSlug: 'acme' });
  await gh.admin.attachMethod(identity.id, 'tls-cert', pki.config, { accessTokenTTL: 600, accessTokenMaxTTL: 3600 });
  return { gh, clock, audit, identityId: identity.id, lastReason: () => audit.at(-1)?.reasonCode };
}

export function pemToDer(chainPem: string): Buffer[] {
  return [...chainPem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s/g, ''), 'base64'));
}

/** One row of the OCSP table: the verdict for an identity that fails closed, and for one that fails open. */
export interface OcspDecision {
  name: string;
  presented: Presented;
  closed: { status: number; reason?: RefusalReason };
  open: { status: number; reason?: RefusalReason; warning?: RefusalReason };
}

export interface OcspPki {
  responder: OcspResponder;
  /** Issues the OCSP rows' leaves; its answers come from `responder`. */
  issuing: CertificateAuthority;
  decisions: OcspDecision[];
  /** Strategy options: a short timeout, and the loopback responder (and a dead port) allowed. */
  options: TlsCertStrategyOptions;
  closedConfig: TlsCertConfigInput;
  openConfig: TlsCertConfigInput;
  close(): Promise<void>;
}

/** A loopback origin nothing listens on (bound, then closed): connections are refused. */
export async function deadOrigin(): Promise<string> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export async function buildOcspPki(pki: Pki, timeoutMs = 400): Promise<OcspPki> {
  const issuing = await pki.root.issueIntermediate({ commonName: 'Gatehouse OCSP Issuing CA', organization: 'Gatehouse Tests' });
  const responder = await createOcspResponder({ issuers: [issuing], clock: { now: () => pki.now } });
  const dead = await deadOrigin();
  const leaf = async (cn: string, ocspUrls: string[] = [responder.url]) => issuing.issue({ commonName: cn, subjectAltNames: sans(cn), ocspUrls });
  const row = async (
    name: string,
    cn: string,
    setup: (serial: string) => void,
    failure: RefusalReason | undefined,
    urls?: string[],
  ): Promise<OcspDecision> => {
    const cert = await leaf(cn, urls);
    setup(cert.serial);
    return failure === undefined
      ? { name, presented: presented(cert), closed: { status: 200 }, open: { status: 200 } }
      : failure === 'certificate_revoked'
        ? { name, presented: presented(cert), closed: { status: 401, reason: failure }, open: { status: 401, reason: failure } }
        : { name, presented: presented(cert), closed: { status: 401, reason: failure }, open: { status: 200, warning: failure } };
  };
  const good = (serial: string) => responder.setStatus(serial, 'good');
  const behave = (behaviour: OcspBehaviour) => (serial: string) => {
    good(serial);
    responder.setBehaviour(serial, behaviour);
  };
  const decisions = [
    await row('OCSP good', 'client-ocsp-good', good, undefined),
    await row('OCSP revoked', 'client-ocsp-revoked', (s) => responder.revoke(s), 'certificate_revoked'),
    await row('OCSP unknown', 'client-ocsp-unknown', (s) => responder.setStatus(s, 'unknown'), 'ocsp_unknown'),
    await row('OCSP stale (nextUpdate passed)', 'client-ocsp-stale', behave('stale'), 'ocsp_stale'),
    await row('OCSP answer not yet valid', 'client-ocsp-future', behave('not-yet-valid'), 'ocsp_response_not_yet_valid'),
    await row('OCSP signed by an unrelated key', 'client-ocsp-stranger', behave('wrong-signer'), 'ocsp_responder_unauthorized'),
    await row('OCSP signed by a CA certificate without OCSPSigning', 'client-ocsp-unauthorized', behave('unauthorized-signer'), 'ocsp_responder_unauthorized'),
    await row('OCSP signed by another CA’s delegated responder', 'client-ocsp-foreign', behave('foreign-delegate'), 'ocsp_responder_unauthorized'),
    await row('OCSP signature does not verify', 'client-ocsp-flipped', behave('bad-signature'), 'ocsp_signature_invalid'),
    await row('OCSP answer about another serial', 'client-ocsp-mismatch', behave('wrong-serial'), 'ocsp_response_mismatch'),
    await row('OCSP garbage body', 'client-ocsp-garbage', behave('garbage'), 'ocsp_malformed_response'),
    await row('OCSP tryLater', 'client-ocsp-later', behave('try-later'), 'ocsp_error_response'),
    await row('OCSP HTTP 500', 'client-ocsp-500', behave('http-500'), 'ocsp_http_error'),
    await row('OCSP responder slow', 'client-ocsp-slow', behave('slow'), 'ocsp_timeout'),
    await row('OCSP responder down', 'client-ocsp-down', good, 'ocsp_unavailable', [`${dead}/ocsp`]),
    await row('no OCSP responder named', 'client-ocsp-none', good, 'ocsp_no_responder', []),
  ];
  const base: TlsCertConfigInput = { ...pki.config, ocspEnabled: true };
  return {
    responder,
    issuing,
    decisions,
    options: { ocsp: { timeoutMs, allowedResponderOrigins: [new URL(responder.url).origin, dead] } },
    closedConfig: base,
    openConfig: { ...base, ocspFailOpen: true },
    close: () => responder.close(),
  };
}

export interface OcspHarness extends Harness {
  /** Identity whose OCSP fails open. `identityId` fails closed. */
  openIdentityId: string;
}

export async function createOcspHarness(pki: Pki, ocspPki: OcspPki, options: TlsCertStrategyOptions = {}): Promise<OcspHarness> {
  const clock = new ManualClock(pki.now);
  const audit: AuditEvent[] = [];
  const gh = createGatehouse({ strategies: [tlsCertStrategy({ ...ocspPki.options, ...options })], clock, audit: (e) => void audit.push(e) });
  const closed = await gh.admin.createIdentity({ name: 'ocsp-closed', organizationSlug: 'acme' });
  const open = await gh.admin.createIdentity({ name: 'ocsp-open', organizationSlug: 'acme' });
  await gh.admin.attachMethod(closed.id, 'tls-cert', ocspPki.closedConfig, { accessTokenTTL: 600, accessTokenMaxTTL: 3600 });
  await gh.admin.attachMethod(open.id, 'tls-cert', ocspPki.openConfig, { accessTokenTTL: 600, accessTokenMaxTTL: 3600 });
  return { gh, clock, audit, identityId: closed.id, openIdentityId: open.id, lastReason: () => audit.at(-1)?.reasonCode };
}
