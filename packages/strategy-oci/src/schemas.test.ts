import { describe, expect, it } from 'vitest';
import { ociConfigSchema, ociLoginRequestSchema } from './schemas.js';

const tenancyOcid = 'ocid1.tenancy.oc1..aaaaaaaatenancy';
const config = ociConfigSchema(['oraclecloud.com', 'oraclegovcloud.com']);
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => r.error?.issues.map((i) => i.path.join('.'));

describe('ociConfigSchema', () => {
  it('requires a tenancy OCID', () => {
    expect(config.parse({ tenancyOcid })).toEqual({ tenancyOcid, allowedUsernames: null });
    expect(paths(config.safeParse({}))).toEqual(['tenancyOcid']);
    for (const bad of ['tenancy', 'ocid1.user.oc1..aaaaaaaax', 'ocid1.tenancy.oc1..', 'OCID1.TENANCY.OC1..AAAA', `${tenancyOcid}/x`, `${tenancyOcid}\n`]) {
      expect(paths(config.safeParse({ tenancyOcid: bad }))).toEqual(['tenancyOcid']);
    }
  });

  it('takes allowedUsernames as a list or a comma-separated string', () => {
    expect(config.parse({ tenancyOcid, allowedUsernames: ['a', 'b', 'a'] }).allowedUsernames).toEqual(['a', 'b']);
    expect(config.parse({ tenancyOcid, allowedUsernames: ' a, b ,,c ' }).allowedUsernames).toEqual(['a', 'b', 'c']);
    expect(config.parse({ tenancyOcid, allowedUsernames: '' }).allowedUsernames).toBeNull();
    expect(config.parse({ tenancyOcid, allowedUsernames: null }).allowedUsernames).toBeNull();
    expect(config.safeParse({ tenancyOcid, allowedUsernames: [] }).success).toBe(false);
    expect(config.safeParse({ tenancyOcid, allowedUsernames: [''] }).success).toBe(false);
    expect(config.safeParse({ tenancyOcid, allowedUsernames: 5 }).success).toBe(false);
  });

  it('lets realmDomains narrow the server list, never widen it', () => {
    expect(config.parse({ tenancyOcid, realmDomains: ['OracleGovCloud.com'] }).realmDomains).toEqual(['oraclegovcloud.com']);
    expect(paths(config.safeParse({ tenancyOcid, realmDomains: ['evil.com'] }))).toEqual(['realmDomains.0']);
  });

  it('refuses unknown keys', () => {
    expect(config.safeParse({ tenancyOcid, allowedArns: 'x' }).success).toBe(false);
  });
});

describe('ociLoginRequestSchema', () => {
  const valid = {
    identityId: 'id-1',
    userOcid: 'ocid1.user.oc1..aaaaaaaauser',
    headers: { authorization: 'Signature x', host: 'identity.us-ashburn-1.oraclecloud.com', 'x-date': 'Thu, 01 Jan 2026 12:00:00 GMT' },
  };

  it('accepts the seed body, with or without organizationSlug', () => {
    expect(ociLoginRequestSchema.parse(valid)).toEqual(valid);
    expect(ociLoginRequestSchema.safeParse({ ...valid, organizationSlug: 'acme' }).success).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['an extra body field', { ...valid, extra: 1 }, ''],
    ['an extra header', { ...valid, headers: { ...valid.headers, 'x-content-sha256': 'x' } }, 'headers'],
    ['no authorization', { ...valid, headers: { host: valid.headers.host } }, 'headers.authorization'],
    ['no host', { ...valid, headers: { authorization: 'x' } }, 'headers.host'],
    ['an oversized authorization', { ...valid, headers: { ...valid.headers, authorization: 'x'.repeat(4097) } }, 'headers.authorization'],
    ['an oversized host', { ...valid, headers: { ...valid.headers, host: 'a'.repeat(254) } }, 'headers.host'],
    ['a userOcid that is not a user OCID', { ...valid, userOcid: 'ocid1.tenancy.oc1..aaaaaaaax' }, 'userOcid'],
    ['a userOcid with a path', { ...valid, userOcid: 'ocid1.user.oc1..aaaa/../../x' }, 'userOcid'],
    ['a numeric identityId', { ...valid, identityId: 5 }, 'identityId'],
    ['an empty organizationSlug', { ...valid, organizationSlug: '' }, 'organizationSlug'],
    ['headers as a string', { ...valid, headers: 'authorization: x' }, 'headers'],
  ])('refuses %s', (_label, body, path) => {
    const result = ociLoginRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(paths(result)).toContain(path);
  });
});
