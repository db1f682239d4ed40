/** Hostile and malformed bodies: always the seed's 422 (or 413), never a 500, and STS is never called. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, createHarness, DEPLOYER_SESSION, expectSeedError, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Body = Record<string, unknown>;
const REQUIRED = ['identityId', 'Action', 'Format', 'Version', 'AccessKeyId', 'SignatureMethod', 'Timestamp', 'SignatureVersion', 'SignatureNonce', 'Signature'];

const set = (field: string, value: unknown) => (b: Body) => ({ ...b, [field]: value });
const drop = (field: string) => (b: Body) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== field));

const cases: [string, (b: Body) => Body, string][] = [
  ...REQUIRED.map((f): [string, (b: Body) => Body, string] => [`missing ${f}`, drop(f), f]),
  ...REQUIRED.map((f): [string, (b: Body) => Body, string] => [`${f} as a number`, set(f, 12345), f]),
  ...REQUIRED.map((f): [string, (b: Body) => Body, string] => [`${f} as null`, set(f, null), f]),
  ...REQUIRED.map((f): [string, (b: Body) => Body, string] => [`${f} as an array`, set(f, ['x']), f]),
  ...REQUIRED.map((f): [string, (b: Body) => Body, string] => [`${f} as an object`, set(f, { x: 1 }), f]),
  ['identityId empty', set('identityId', ''), 'identityId'],
  ['identityId too long', set('identityId', 'i'.repeat(129)), 'identityId'],
  ['Action other than GetCallerIdentity', set('Action', 'AssumeRole'), 'Action'],
  ['Action lower-case', set('Action', 'getcalleridentity'), 'Action'],
  ['Format XML', set('Format', 'XML'), 'Format'],
  ['Version not a date', set('Version', '2015/04/01'), 'Version'],
  ['Version too long', set('Version', '2015-04-01T00'), 'Version'],
  ['AccessKeyId with symbols', set('AccessKeyId', 'LTAI5t/../../x'), 'AccessKeyId'],
  ['AccessKeyId too short', set('AccessKeyId', 'LTAI'), 'AccessKeyId'],
  ['AccessKeyId too long', set('AccessKeyId', `LTAI${'a'.repeat(200)}`), 'AccessKeyId'],
  ['AccessKeyId bare STS.', set('AccessKeyId', 'STS.'), 'AccessKeyId'],
  ['AccessKeyId with a newline', set('AccessKeyId', 'LTAI5tAliceKey000000001\n'), 'AccessKeyId'],
  ['organizationSlug empty', set('organizationSlug', ''), 'organizationSlug'],
  ['organizationSlug too long', set('organizationSlug', 'o'.repeat(65)), 'organizationSlug'],
  ['organizationSlug a number', set('organizationSlug', 7), 'organizationSlug'],
  ['SignatureMethod HMAC-SHA256', set('SignatureMethod', 'HMAC-SHA256'), 'SignatureMethod'],
  ['SignatureVersion 2.0', set('SignatureVersion', '2.0'), 'SignatureVersion'],
  ['SignatureVersion as number 1', set('SignatureVersion', 1), 'SignatureVersion'],
  ['Timestamp with milliseconds', set('Timestamp', '2026-01-01T00:00:00.000Z'), 'Timestamp'],
  ['Timestamp with an offset', set('Timestamp', '2026-01-01T08:00:00+08:00'), 'Timestamp'],
  ['Timestamp with a space', set('Timestamp', '2026-01-01 00:00:00Z'), 'Timestamp'],
  ['Timestamp not a real date', set('Timestamp', '2026-02-30T00:00:00Z'), 'Timestamp'],
  ['Timestamp hour 24', set('Timestamp', '2026-01-01T24:00:00Z'), 'Timestamp'],
  ['Timestamp epoch number string', set('Timestamp', '1767225600'), 'Timestamp'],
  ['SignatureNonce too short', set('SignatureNonce', 'abc'), 'SignatureNonce'],
  ['SignatureNonce too long', set('SignatureNonce', 'n'.repeat(129)), 'SignatureNonce'],
  ['SignatureNonce with a space', set('SignatureNonce', 'nonce with space'), 'SignatureNonce'],
  ['SignatureNonce with non-ASCII', set('SignatureNonce', 'nonce-ünïcode'), 'SignatureNonce'],
  ['SignatureNonce with &', set('SignatureNonce', 'nonce&Action=x'), 'SignatureNonce'],
  ['Signature not base64', set('Signature', '!!!!!!!!!!!!!!!!!!!!!!!!!!!='), 'Signature'],
  ['Signature too short', set('Signature', 'AAAA='), 'Signature'],
  ['Signature of SHA-256 length', set('Signature', 'A'.repeat(43) + '='), 'Signature'],
  ['Signature without padding', set('Signature', 'A'.repeat(28)), 'Signature'],
  ['SecurityToken with a long-term key', set('SecurityToken', 'CAIStoken=='), 'SecurityToken'],
  ['SecurityToken with spaces', (b) => ({ ...b, AccessKeyId: DEPLOYER_SESSION.id, SecurityToken: 'has spaces in it' }), 'SecurityToken'],
  ['SecurityToken too long', (b) => ({ ...b, AccessKeyId: DEPLOYER_SESSION.id, SecurityToken: 'A'.repeat(8193) }), 'SecurityToken'],
  ['STS. key without SecurityToken', set('AccessKeyId', DEPLOYER_SESSION.id), 'SecurityToken'],
  ['an extra field', set('RegionId', 'cn-hangzhou'), 'RegionId'],
  ['an extra accessKeySecret field', set('AccessKeySecret', 'oops'), 'AccessKeySecret'],
];

describe('alicloud login: malformed bodies → 422 naming the field, STS not called', () => {
  it.each(cases)('%s', async (_name, mutate, field) => {
    const calls = h.sts.calls;
    const res = await h.login(mutate(h.body(ALICE) as unknown as Body));
    const body = expectSeedError(res, 422);
    expect(body.error).toBe('ValidationFailure');
    const paths = (body.message as { path: string }[]).map((i) => i.path);
    expect(paths).toContain(field);
    expect(h.sts.calls).toBe(calls);
  });

  it('a __proto__ key is an unknown field, not a prototype', async () => {
    const body = JSON.parse(JSON.stringify(h.body(ALICE)).replace(/^\{/, '{"__proto__":{"isAdmin":true},'));
    expectSeedError(await h.login(body), 422);
  });

  it('a body that is not an object → 422', async () => {
    for (const body of [null, [], 'GetCallerIdentity', 42, true]) expectSeedError(await h.login(body), 422);
  });

  it('a 1 MB field → 422, never 500', async () => {
    const res = await h.login({ ...h.body(ALICE), Signature: 'A'.repeat(1024 * 1024) });
    expectSeedError(res, 422);
  });

  it('1 MB of extra fields → 422, never 500', async () => {
    const extra = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'x'.repeat(40)]));
    const res = await h.login({ ...h.body(ALICE), ...extra });
    const body = expectSeedError(res, 422);
    expect(JSON.stringify(body).length).toBeLessThan(20_000);
  });

  it('a body the adapter refused as too large → 413', async () => {
    const res = await h.gh.handle({ method: 'POST', path: '/api/v1/auth/alicloud-auth/login', headers: {}, bodyError: 'too_large', socketAddress: '127.0.0.1', protocol: 'http' });
    expectSeedError(res, 413);
  });

  it('the error never echoes submitted values', async () => {
    const res = await h.login({ ...h.body(ALICE), SignatureNonce: 'secret-looking <script> value' });
    expect(JSON.stringify(res.body)).not.toContain('<script>');
  });
});
