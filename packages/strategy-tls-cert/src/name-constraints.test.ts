import { createCa, type CertificateAuthority, type GeneralName, type IssuedCertificate } from '@gatehouse-auth/testing/certs';
import { describe, expect, it } from 'vitest';
import { buildPath } from './build-path.js';
import { checkNames, MAX_NAME_CHECKS, readNameConstraints, isHostnameLike } from './name-constraints.js';
import { parseDer } from './der.js';
import { parseCertificate } from './parse-certificate.js';

const parse = (c: IssuedCertificate) => parseCertificate(c.certDer);
const path = (leaf: IssuedCertificate, intermediates: IssuedCertificate[], anchors: IssuedCertificate[]) =>
  buildPath({ leaf: parse(leaf), intermediates: intermediates.map(parse), anchors: anchors.map(parse), crls: [], now: new Date() });
const dns = (value: string): GeneralName => ({ type: 'dns', value });

describe('name constraints on a path', () => {
  it('are read whether critical or not', async () => {
    const root = await createCa({ commonName: 'Root' });
    for (const critical of [true, false]) {
      const inter = await root.issueIntermediate({ commonName: 'I', nameConstraints: { critical, permitted: [dns('example.com')] } });
      const parsed = parse(inter);
      expect(parsed.unhandledCritical).toEqual([]);
      expect(parsed.nameConstraints?.permitted).toEqual([{ type: 'dns', host: 'example.com' }]);
    }
  });

  it('the issue’s case: non-critical, permits example.com, leaf evil.test → name_not_permitted', async () => {
    const root = await createCa({ commonName: 'Root' });
    const inter = await root.issueIntermediate({ commonName: 'I', nameConstraints: { critical: false, permitted: [dns('example.com')] } });
    const evil = await inter.issue({ commonName: 'leaf', subjectAltNames: [dns('evil.test')] });
    expect(path(evil, [inter], [root])).toMatchObject({ ok: false, reason: 'name_not_permitted', detail: 'dns:evil.test' });
    expect(path(await inter.issue({ commonName: 'leaf', subjectAltNames: [dns('api.example.com')] }), [inter], [root]).ok).toBe(true);
  });

  it('apply to every certificate below, intermediates included, and intersect down the path', async () => {
    const root = await createCa({ commonName: 'Root', nameConstraints: { permitted: [dns('example.com')] } });
    // A lower CA cannot widen what the one above permits: evil.test is outside the root's subtree.
    const widening = await root.issueIntermediate({ commonName: 'Widening', nameConstraints: { permitted: [dns('evil.test')] } });
    expect(path(await widening.issue({ commonName: 'leaf', subjectAltNames: [dns('evil.test')] }), [widening], [root])).toMatchObject({ ok: false, reason: 'name_not_permitted' });
    // The intermediate's own subject is checked too, even when the leaf is inside.
    const corp = [{ type: 'O' as const, value: 'Corp' }];
    const dnRoot = await createCa({ commonName: 'Root', nameConstraints: { permitted: [{ type: 'directoryName', value: corp }] } });
    const stray = await dnRoot.issueIntermediate({ commonName: 'I', distinguishedName: [{ type: 'O', value: 'Evil' }, { type: 'CN', value: 'I' }] });
    const inside = await stray.issue({ commonName: 'x', distinguishedName: [{ type: 'O', value: 'Corp' }, { type: 'CN', value: 'x' }] });
    expect(path(inside, [stray], [dnRoot])).toMatchObject({ ok: false, reason: 'name_not_permitted' });
  });

  it('a hostname-like CN is held to DNS constraints on the leaf only', async () => {
    const root = await createCa({ commonName: 'Root', nameConstraints: { permitted: [dns('example.com')] } });
    const inter = await root.issueIntermediate({ commonName: 'issuing.corp.internal' });
    expect(path(await inter.issue({ commonName: 'x', subjectAltNames: [dns('a.example.com')] }), [inter], [root]).ok).toBe(true);
    expect(path(await inter.issue({ commonName: 'api.corp.internal' }), [inter], [root])).toMatchObject({ ok: false, reason: 'name_not_permitted', detail: 'cn:api.corp.internal' });
  });

  it('a configured CA’s own constraints apply (the anchor is not exempt)', async () => {
    const anchor = await createCa({ commonName: 'Constrained Root', nameConstraints: { excluded: [dns('secret.example.com')] } });
    expect(path(await anchor.issue({ commonName: 'x', subjectAltNames: [dns('a.secret.example.com')] }), [], [anchor])).toMatchObject({ ok: false, reason: 'name_excluded' });
    expect(path(await anchor.issue({ commonName: 'x', subjectAltNames: [dns('a.example.com')] }), [], [anchor]).ok).toBe(true);
  });

  it('skip self-issued intermediates, never the leaf', async () => {
    const rootDn = [{ type: 'O' as const, value: 'Corp' }, { type: 'CN' as const, value: 'Root' }];
    const other = [{ type: 'O' as const, value: 'Other' }];
    // The root's subtree does not hold its own name; its key-rollover certificate (same DN: self-issued) is exempt.
    const root = await createCa({ commonName: 'Root', distinguishedName: rootDn, nameConstraints: { permitted: [{ type: 'directoryName', value: other }] } });
    const rollover = await root.issueIntermediate({ commonName: 'Root', distinguishedName: rootDn });
    expect(parse(rollover).selfIssued).toBe(true);
    const inside = await rollover.issue({ commonName: 'x', distinguishedName: [...other, { type: 'CN', value: 'x' }] });
    expect(path(inside, [rollover], [root]).ok).toBe(true);
    // A self-issued leaf is still checked.
    const selfIssuedLeaf = await rollover.issue({ commonName: 'Root', distinguishedName: rootDn });
    expect(parse(selfIssuedLeaf).selfIssued).toBe(true);
    expect(path(selfIssuedLeaf, [rollover], [root])).toMatchObject({ ok: false, reason: 'name_not_permitted' });
  });

  it('refuse a constraint on a name form they cannot evaluate, only when the certificate uses that form', async () => {
    const root = await createCa({ commonName: 'Root' });
    const inter = await root.issueIntermediate({ commonName: 'I', nameConstraints: { permitted: [{ type: 'registeredId', value: '1.2.3.4' }] } });
    expect(path(await inter.issue({ commonName: 'x', subjectAltNames: [{ type: 'registeredId', value: '1.2.3.4' }] }), [inter], [root])).toMatchObject({
      ok: false,
      reason: 'name_constraints_unsupported',
    });
    expect(path(await inter.issue({ commonName: 'x', subjectAltNames: [dns('a.example.com')] }), [inter], [root]).ok).toBe(true);
    // A URI without a host (a URN) under a URI constraint cannot be placed inside or outside it: refused.
    const uri = await root.issueIntermediate({ commonName: 'U', nameConstraints: { excluded: [{ type: 'uri', value: 'evil.test' }] } });
    expect(path(await uri.issue({ commonName: 'x', subjectAltNames: [{ type: 'uri', value: 'urn:uuid:1' }] }), [uri], [root])).toMatchObject({
      ok: false,
      reason: 'name_constraints_unsupported',
    });
    expect(path(await uri.issue({ commonName: 'x', subjectAltNames: [{ type: 'uri', value: 'https://%65vil.test/' }] }), [uri], [root])).toMatchObject({
      ok: false,
      reason: 'name_constraints_unsupported',
    });
  });

  it('an IPv4-mapped IPv6 address does not escape an excluded IPv4 range', async () => {
    const root = await createCa({ commonName: 'Root', nameConstraints: { excluded: [{ type: 'ip', value: '169.254.0.0/16' }] } });
    const leaf = await root.issue({ commonName: 'x', subjectAltNames: [{ type: 'ip', value: '0:0:0:0:0:ffff:a9fe:a9fe' }] });
    expect(path(leaf, [], [root])).toMatchObject({ ok: false, reason: 'name_excluded' });
  });

  it('a trailing dot does not escape an excluded subtree', async () => {
    const root = await createCa({ commonName: 'Root', nameConstraints: { excluded: [dns('evil.test')] } });
    expect(path(await root.issue({ commonName: 'x', subjectAltNames: [dns('a.evil.test.')] }), [], [root])).toMatchObject({ ok: false, reason: 'name_excluded' });
  });
});

describe('checkNames bounds its work', () => {
  it('refuses rather than compare more than MAX_NAME_CHECKS pairs', async () => {
    const many = Array.from({ length: 1100 }, (_, i) => dns(`n${i}.example.com`));
    const ca: CertificateAuthority = await createCa({ commonName: 'Many', nameConstraints: { permitted: many } });
    const leaf = parse(await ca.issue({ commonName: 'x', subjectAltNames: many }));
    const nc = parse(ca).nameConstraints!;
    expect(checkNames(leaf.names, [nc], { checks: 0 })).toEqual({ failure: 'name_constraints_too_complex' });
    expect((many.length + 1) * (many.length + 1)).toBeGreaterThan(MAX_NAME_CHECKS);
  });
});

describe('readNameConstraints', () => {
  it('refuses an empty extension (RFC 5280: MUST NOT be empty)', () => {
    expect(() => readNameConstraints(parseDer(Buffer.from([0x30, 0x00])))).toThrow();
  });
});

describe('isHostnameLike (OpenSSL’s rule for CNs)', () => {
  it.each([
    ['api.example.com', true],
    ['client-1', false],
    ['a..b', false],
    ['-a.b', false],
    ['a.b-', false],
    ['x evil.test', false],
    ['under_score.example', true],
  ])('%s → %s', (value, expected) => {
    expect(isHostnameLike(value)).toBe(expected);
  });
});
