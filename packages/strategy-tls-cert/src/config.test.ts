import { AuthError, createGatehouse } from '@gatehouse-auth/core';
import { createCa, type CertificateAuthority } from '@gatehouse-auth/testing/certs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PreparedConfigCache, tlsCertConfigSchema } from './config.js';
import { tlsCertStrategy } from './strategy.js';

let root: CertificateAuthority;
let other: CertificateAuthority;
beforeAll(async () => {
  root = await createCa({ commonName: 'Root' });
  other = await createCa({ commonName: 'Other' });
});

/** Writes a config through the admin API, as an operator would, and returns the refusal's public fields. */
async function refusedFields(config: unknown): Promise<string[] | undefined> {
  const gh = createGatehouse({ strategies: [tlsCertStrategy()] });
  const identity = await gh.admin.createIdentity({ name: 'w' });
  const error = await gh.admin.attachMethod(identity.id, 'tls-cert', config).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).kind).toBe('validation');
  return (error as AuthError).fields;
}

describe('identity config, validated when written', () => {
  it('accepts CAs (also as a bundle), globs, typed SAN patterns and CRLs', async () => {
    const inter = await root.issueIntermediate({ commonName: 'Inter' });
    const config = {
      caCertificates: [root.certPem, `# both\n${other.certPem}${inter.certPem}`],
      allowedCommonNames: ['svc-*'],
      allowedSubjectAltNames: ['dns:*.prod', 'ip:10.0.0.0/8', 'uri:spiffe://prod/**', 'email:*@corp.example'],
      crls: [root.crl(), inter.crl()],
    };
    expect(await refusedFields(config)).toBeUndefined();
  });

  it('names the CA entry that is not a CA', async () => {
    const leaf = await root.issue({ commonName: 'leaf' });
    expect(await refusedFields({ caCertificates: [root.certPem, leaf.certPem] })).toEqual(['config.caCertificates.1']);
  });

  it('names the CA entry that is not a certificate at all', async () => {
    expect(await refusedFields({ caCertificates: ['hello'] })).toEqual(['config.caCertificates.0']);
    expect(await refusedFields({ caCertificates: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] })).toEqual(['config.caCertificates.0']);
    expect(await refusedFields({ caCertificates: ['-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----'] })).toEqual(['config.caCertificates.0']);
  });

  it('refuses a CA whose keyUsage forbids signing certificates', async () => {
    const bad = await createCa({ commonName: 'No Cert Sign', keyUsage: ['digitalSignature'] });
    expect(await refusedFields({ caCertificates: [bad.certPem] })).toEqual(['config.caCertificates.0']);
  });

  it('needs at least one CA', async () => {
    expect(await refusedFields({ caCertificates: [] })).toEqual(['config.caCertificates']);
    expect(await refusedFields({})).toEqual(['config.caCertificates']);
  });

  it('names a bad SAN pattern', async () => {
    expect(await refusedFields({ caCertificates: [root.certPem], allowedSubjectAltNames: ['dns:ok.example', 'ip:10.*'] })).toEqual([
      'config.allowedSubjectAltNames.1',
    ]);
  });

  it('names a CRL that does not parse, or that claims a configured CA but is not signed by it', async () => {
    const impostor = await createCa({ commonName: 'Root' });
    expect(await refusedFields({ caCertificates: [root.certPem], crls: ['nope'] })).toEqual(['config.crls.0']);
    expect(await refusedFields({ caCertificates: [root.certPem], crls: [root.crl(), impostor.crl()] })).toEqual(['config.crls.1']);
    expect(await refusedFields({ caCertificates: [root.certPem], crls: [root.certPem] })).toEqual(['config.crls.0']);
  });

  it('refuses unknown keys', async () => {
    expect(await refusedFields({ caCertificates: [root.certPem], caCertificate: root.certPem })).toEqual(['config.caCertificate']);
  });
});

describe('PreparedConfigCache', () => {
  it('prepares once per content and stays bounded', () => {
    const cache = new PreparedConfigCache(2);
    const config = (cn: string[]) => tlsCertConfigSchema.parse({ caCertificates: [root.certPem], allowedCommonNames: cn });
    const a = cache.get(config(['a']));
    expect(cache.get(config(['a']))).toBe(a); // a fresh but equal object: same prepared config
    cache.get(config(['b']));
    cache.get(config(['c']));
    expect(cache.size).toBe(2);
    expect(cache.get(config(['a']))).not.toBe(a); // evicted, prepared again
  });
});

describe('strategy options', () => {
  it('refuses a certificate header without trusted proxies', () => {
    expect(() => tlsCertStrategy({ certificateHeader: 'x-ssl-client-cert' })).toThrow(/trustedProxies/);
  });
  it('refuses bad proxy CIDRs and header names', () => {
    expect(() => tlsCertStrategy({ certificateHeader: 'x-ssl-client-cert', trustedProxies: ['10.0.0.0/33'] })).toThrow(/trustedProxies\.0/);
    expect(() => tlsCertStrategy({ certificateHeader: 'bad header', trustedProxies: ['10.0.0.0/8'] })).toThrow(/certificateHeader/);
  });
  it('serves the seed route with the seed’s contract', () => {
    const strategy = tlsCertStrategy();
    expect(strategy.route).toEqual({ method: 'POST', path: '/api/v1/auth/tls-cert-auth/login' });
    expect(strategy.dialect).toBe('infisical');
    expect(strategy.requestSchema.safeParse({ identityId: 'x' }).success).toBe(true);
    expect(strategy.requestSchema.safeParse({ identityId: 'x', organizationSlug: 'o'.repeat(65) }).success).toBe(false);
    expect(strategy.requestSchema.safeParse({ identityId: 'x', extra: 1 }).success).toBe(false);
    expect(strategy.requestSchema.safeParse({}).success).toBe(false);
  });
});
