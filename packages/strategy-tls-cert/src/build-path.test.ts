import { createCa, type IssuedCertificate } from '@gatehouse-auth/testing/certs';
import { describe, expect, it } from 'vitest';
import { buildPath, DEFAULT_PATH_LIMITS, type PathInput } from './build-path.js';
import { parseCrl } from './crl.js';
import { parseCertificate } from './parse-certificate.js';
import { pemBlocks } from './pem.js';

const DAY = 86_400_000;
const now = new Date();
const parse = (c: IssuedCertificate) => parseCertificate(c.certDer);
const input = (leaf: IssuedCertificate, intermediates: IssuedCertificate[], anchors: IssuedCertificate[], extra: Partial<PathInput> = {}): PathInput => ({
  leaf: parse(leaf),
  intermediates: intermediates.map(parse),
  anchors: anchors.map(parse),
  crls: [],
  now,
  ...extra,
});

describe('buildPath', () => {
  it('finds leaf → intermediates → anchor, in any presented order', async () => {
    const root = await createCa({ commonName: 'Root', keyType: 'rsa' });
    const i1 = await root.issueIntermediate({ commonName: 'I1', keyType: 'ed25519' });
    const i2 = await i1.issueIntermediate({ commonName: 'I2', keyType: 'ec' });
    const leaf = await i2.issue({ commonName: 'leaf', keyType: 'rsa' });
    const result = buildPath(input(leaf, [i1, i2], [root]));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.chain.map((c) => c.commonNames[0])).toEqual(['leaf', 'I2', 'I1', 'Root']);
  });

  it('stops a hostile chain of same-named, same-key certificates within its budget', async () => {
    // 12 intermediates that all name-chain to each other with valid signatures: 12! orderings without bounds.
    const attacker = await createCa({ commonName: 'Loop' });
    const loop: IssuedCertificate[] = [];
    for (let i = 0; i < 12; i++) loop.push(await attacker.issueIntermediate({ commonName: 'Loop', keys: attacker }));
    const leaf = await attacker.issue({ commonName: 'leaf' });
    const trusted = await createCa({ commonName: 'Loop' }); // same name, another key
    const result = buildPath(input(leaf, loop, [trusted]));
    expect(result).toMatchObject({ ok: false, reason: 'path_search_exhausted' });
    expect(result.stats.steps).toBeLessThanOrEqual(DEFAULT_PATH_LIMITS.maxSteps);
    expect(result.stats.signatureChecks).toBe(DEFAULT_PATH_LIMITS.maxSignatureChecks);
  });

  it('checks each link’s signature once, however often the search revisits it', async () => {
    const attacker = await createCa({ commonName: 'Loop' });
    const loop: IssuedCertificate[] = [];
    for (let i = 0; i < 4; i++) loop.push(await attacker.issueIntermediate({ commonName: 'Loop', keys: attacker }));
    const leaf = await attacker.issue({ commonName: 'leaf' });
    const result = buildPath(input(leaf, loop, [await createCa({ commonName: 'Loop' })]), { maxPathLength: 16, maxSignatureChecks: 1000, maxSteps: 100_000 });
    expect(result).toMatchObject({ ok: false, reason: 'unknown_ca' });
    // 4 links from the leaf + 4×3 between intermediates, each verified once; steps count every revisit.
    expect(result.stats.signatureChecks).toBe(16);
    expect(result.stats.steps).toBeGreaterThan(16);
  });

  it('prefers a good path over a bad one with the same names (re-issued, expired intermediate)', async () => {
    const root = await createCa({ commonName: 'Root' });
    const expired = await root.issueIntermediate({ commonName: 'Issuing', notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - DAY) });
    const renewed = await root.issueIntermediate({ commonName: 'Issuing', keys: expired });
    const leaf = await renewed.issue({ commonName: 'leaf' });
    expect(buildPath(input(leaf, [expired, renewed], [root])).ok).toBe(true);
    expect(buildPath(input(leaf, [expired], [root]))).toMatchObject({ ok: false, reason: 'intermediate_expired' });
  });

  it('refuses a path longer than maxPathLength', async () => {
    const root = await createCa({ commonName: 'Root' });
    const i1 = await root.issueIntermediate({ commonName: 'I1' });
    const i2 = await i1.issueIntermediate({ commonName: 'I2' });
    const leaf = await i2.issue({ commonName: 'leaf' });
    expect(buildPath(input(leaf, [i1, i2], [root]), { ...DEFAULT_PATH_LIMITS, maxPathLength: 3 })).toMatchObject({ ok: false, reason: 'path_too_long' });
    expect(buildPath(input(leaf, [i1, i2], [root]), { ...DEFAULT_PATH_LIMITS, maxPathLength: 4 }).ok).toBe(true);
  });

  it('a tampered signature is signature_invalid', async () => {
    const root = await createCa({ commonName: 'Root' });
    const leaf = await root.issue({ commonName: 'leaf' });
    const der = Buffer.from(leaf.certDer);
    der[der.length - 5]! ^= 0x40;
    const result = buildPath({ leaf: parseCertificate(der), intermediates: [], anchors: [parse(root)], crls: [], now });
    expect(result).toMatchObject({ ok: false, reason: 'signature_invalid' });
  });

  it('an issuer that is not a CA (same key, a leaf certificate) is issuer_not_ca', async () => {
    const root = await createCa({ commonName: 'Root' });
    const rogue = await createCa({ commonName: 'Fake CA' });
    const leafWithCaName = await root.issue({ commonName: 'Fake CA', keys: rogue, organization: undefined });
    const victim = await rogue.issue({ commonName: 'victim' });
    expect(buildPath(input(victim, [leafWithCaName], [root]))).toMatchObject({ ok: false, reason: 'issuer_not_ca' });
  });

  it('an issuer whose keyUsage lacks keyCertSign is refused', async () => {
    const root = await createCa({ commonName: 'Root' });
    const inter = await root.issueIntermediate({ commonName: 'I', keyUsage: ['digitalSignature'] });
    const leaf = await inter.issue({ commonName: 'leaf' });
    expect(buildPath(input(leaf, [inter], [root]))).toMatchObject({ ok: false, reason: 'issuer_missing_key_cert_sign' });
  });

  it('pathLen counts the CAs between an issuer and the leaf', async () => {
    const root = await createCa({ commonName: 'Root', pathLen: 1 });
    const i1 = await root.issueIntermediate({ commonName: 'I1' });
    const i2 = await i1.issueIntermediate({ commonName: 'I2' });
    expect(buildPath(input(await i1.issue({ commonName: 'ok' }), [i1], [root])).ok).toBe(true);
    expect(buildPath(input(await i2.issue({ commonName: 'deep' }), [i1, i2], [root]))).toMatchObject({ ok: false, reason: 'path_len_exceeded' });
  });

  it('an expired or not-yet-valid configured CA is refused as such', async () => {
    const old = await createCa({ commonName: 'Old Root', notBefore: new Date(now.getTime() - 20 * DAY), notAfter: new Date(now.getTime() - DAY) });
    const leaf = await old.issue({ commonName: 'leaf' });
    expect(buildPath(input(leaf, [], [old]))).toMatchObject({ ok: false, reason: 'ca_expired' });
    const future = await createCa({ commonName: 'Future Root', notBefore: new Date(now.getTime() + DAY) });
    const leaf2 = await future.issue({ commonName: 'leaf', notBefore: new Date(now.getTime() - DAY) });
    expect(buildPath(input(leaf2, [], [future]))).toMatchObject({ ok: false, reason: 'ca_not_yet_valid' });
  });

  it('CRLs: revoked, stale (fails closed), and a same-named CA’s CRL ignored', async () => {
    const root = await createCa({ commonName: 'Root' });
    const impostor = await createCa({ commonName: 'Root' });
    const leaf = await root.issue({ commonName: 'leaf' });
    const crl = (pem: string) => parseCrl(pemBlocks(pem, 'X509 CRL')[0]!);
    const revoking = crl(root.crl({ revoked: [{ serial: leaf.serial }] }));
    expect(buildPath(input(leaf, [], [root], { crls: [revoking] }))).toMatchObject({ ok: false, reason: 'certificate_revoked' });
    const stale = crl(root.crl({ thisUpdate: new Date(now.getTime() - 10 * DAY), nextUpdate: new Date(now.getTime() - DAY) }));
    expect(buildPath(input(leaf, [], [root], { crls: [stale] }))).toMatchObject({ ok: false, reason: 'crl_expired' });
    const foreign = crl(impostor.crl({ revoked: [{ serial: leaf.serial }] }));
    expect(buildPath(input(leaf, [], [root], { crls: [foreign] })).ok).toBe(true);
  });
});

describe('basicConstraints pathLenConstraint (RFC 5280 §6.1.4 (l), (m))', () => {
  it('counts the CA certificates between an issuer and the leaf, on configured CAs too', async () => {
    const root = await createCa({ commonName: 'Root', pathLen: 1 });
    const i1 = await root.issueIntermediate({ commonName: 'I1' });
    const i2 = await i1.issueIntermediate({ commonName: 'I2' });
    expect(buildPath(input(await i1.issue({ commonName: 'one below' }), [i1], [root])).ok).toBe(true);
    expect(buildPath(input(await i2.issue({ commonName: 'two below' }), [i1, i2], [root]))).toMatchObject({ ok: false, reason: 'path_len_exceeded' });
  });

  it('pathLen 0 on an intermediate allows leaves only', async () => {
    const root = await createCa({ commonName: 'Root' });
    const issuing = await root.issueIntermediate({ commonName: 'Issuing', pathLen: 0 });
    const sub = await issuing.issueIntermediate({ commonName: 'Sub' });
    expect(buildPath(input(await issuing.issue({ commonName: 'leaf' }), [issuing], [root])).ok).toBe(true);
    expect(buildPath(input(await sub.issue({ commonName: 'leaf' }), [issuing, sub], [root]))).toMatchObject({ ok: false, reason: 'path_len_exceeded' });
  });

  it('does not count a self-issued key-rollover certificate', async () => {
    const root = await createCa({ commonName: 'Root', pathLen: 0 });
    // The old root key certifies the new one under the same name: self-issued.
    const rollover = await root.issueIntermediate({ commonName: 'Root' });
    const leaf = await rollover.issue({ commonName: 'leaf' });
    const result = buildPath(input(leaf, [rollover], [root]));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.chain).toHaveLength(3);
    const other = await root.issueIntermediate({ commonName: 'Not Self-Issued' });
    expect(buildPath(input(await other.issue({ commonName: 'leaf' }), [other], [root]))).toMatchObject({ ok: false, reason: 'path_len_exceeded' });
  });
});
