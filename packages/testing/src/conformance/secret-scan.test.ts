import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeFindings, exposedStrings, findSecrets, secretForms } from './secret-scan.js';

const SECRET = 'sk_live/7f3a+9c "quoted" & spaced';
const scan = (value: unknown, secrets: (string | Uint8Array)[] = [SECRET]) => findSecrets(exposedStrings(value, 'out'), secretForms(secrets));
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('secretForms', () => {
  it('derives the as-is, escaped and encoded forms, without duplicates', () => {
    const forms = secretForms([SECRET]);
    const byEncoding = Object.fromEntries(forms.map((f) => [f.encoding, f.value]));
    expect(byEncoding).toMatchObject({
      'as is': SECRET,
      'JSON-escaped': 'sk_live/7f3a+9c \\"quoted\\" & spaced',
      'URL-encoded': encodeURIComponent(SECRET),
      base64: Buffer.from(SECRET).toString('base64'),
      hex: Buffer.from(SECRET).toString('hex'),
      HEX: Buffer.from(SECRET).toString('hex').toUpperCase(),
    });
    expect(forms.map((f) => f.value)).toContain(Buffer.from(SECRET).toString('base64url'));
    expect(new Set(forms.map((f) => f.value)).size).toBe(forms.length);
    const slashy = Buffer.from([0xfb, 0xff, 0xbf, 0xfe, 0xfa, 0xef, 0x01, 0x02, 0x03]);
    expect(secretForms([slashy]).find((f) => f.encoding === 'base64url')?.value).toBe(slashy.toString('base64url'));
  });

  it('takes bytes (their encodings, and their text when it is text) and PEM keys (their base64 body)', () => {
    const key = Buffer.alloc(32, 0xfb); // base64 '+/v7…=': every encoding differs
    expect(secretForms([key]).map((f) => f.encoding)).toEqual(['base64', 'base64 (unpadded)', 'base64url', 'hex', 'HEX']);
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = secretForms([pem]).find((f) => f.encoding === 'PEM body')!.value;
    expect(body).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(pem.replace(/\s+/g, '')).toContain(body);
  });

  it('refuses a secret too short to search for without false alarms', () => {
    expect(() => secretForms(['short'])).toThrow(/shorter than 8/);
  });
});

describe('scanning', () => {
  it('finds a secret as is, in a key, nested in arrays, and in each encoded form', () => {
    expect(scan({ message: `bad key ${SECRET}` })).toContainEqual(expect.objectContaining({ encoding: 'as is', where: 'out.message' }));
    expect(scan({ [SECRET]: 1 })[0]).toMatchObject({ where: 'out (key)' });
    expect(scan({ a: [{ b: [Buffer.from(SECRET).toString('hex')] }] })[0]).toMatchObject({ encoding: 'hex', where: 'out.a[0].b[0]' });
    expect(scan({ q: `x=${encodeURIComponent(SECRET)}` }).map((f) => f.encoding)).toContain('URL-encoded');
  });

  it('decodes JWTs: a secret in a token claim is found', () => {
    const jwt = `${b64url({ alg: 'EdDSA' })}.${b64url({ sub: 'u', leak: SECRET })}.c2lnbmF0dXJl`;
    const findings = scan({ accessToken: jwt });
    expect(findings).toContainEqual(expect.objectContaining({ where: 'out.accessToken (decoded JWT payload).leak' }));
  });

  it('decodes base64 blobs and URL-encoded text one level deep, and a redirect fragment carrying a token', () => {
    const blob = Buffer.from(JSON.stringify({ state: { key: SECRET } })).toString('base64');
    expect(scan({ opaque: `v1.${blob}` }).some((f) => f.where.includes('decoded base64'))).toBe(true);
    const jwt = `${b64url({ alg: 'EdDSA' })}.${b64url({ k: SECRET })}.sig`;
    expect(scan({ location: `/sso/token#${jwt}?state=${encodeURIComponent('{"a":1}')}` }).length).toBeGreaterThan(0);
  });

  it('finds nothing in output that does not carry the secret, even output made of secrets of other people', () => {
    expect(scan({ message: 'Invalid signature', token: `${b64url({ alg: 'EdDSA' })}.${b64url({ sub: 'u' })}.sig`, other: randomBytes(32).toString('hex') })).toEqual([]);
  });

  // A backtracking "run, dot, run" pattern is quadratic here: it would not finish inside the test timeout.
  it('scans a megabyte of letters and of JWT-looking prefixes (linear splitting, no backtracking pattern)', () => {
    expect(scan({ huge: 'A'.repeat(1024 * 1024), prefixes: 'eyJ'.repeat(300_000), dots: 'a.'.repeat(300_000) })).toEqual([]);
  });

  it('describes findings without printing the secret', () => {
    const text = describeFindings(scan({ message: SECRET }));
    expect(text).toContain('secrets[0] (as is) in out.message');
    expect(text).not.toContain(SECRET);
  });
});
