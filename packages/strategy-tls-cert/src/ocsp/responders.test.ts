import { describe, expect, it } from 'vitest';
import { chooseResponders, urlProblem } from './responders.js';

const open = { allowedOrigins: undefined };

describe('chooseResponders', () => {
  it('takes http(s) URLs from the certificate, at most four', () => {
    const urls = ['http://ocsp.corp.example/a', 'https://ocsp2.corp.example/', 'http://10.0.0.5/ocsp', 'http://[2001:db8::1]/', 'http://x.example/5'];
    expect(chooseResponders(urls, [], open)).toEqual({ urls: urls.slice(0, 4), skipped: [], source: 'certificate' });
  });

  it.each([
    ['http://127.0.0.1:8080/', /internal/],
    ['http://127.9.9.9/', /internal/],
    ['http://[::1]/', /internal/],
    ['http://[::ffff:127.0.0.1]/', /internal/],
    ['http://169.254.169.254/latest/meta-data/', /internal/],
    ['http://[fe80::1]/', /internal/],
    ['http://0.0.0.0/', /internal/],
    ['http://224.0.0.1/', /internal/],
    ['http://localhost/', /internal/],
    ['http://api.localhost/', /internal/],
    ['http://user:pw@ocsp.corp.example/', /credentials/],
    ['ldap://ldap.corp.example/', /not http/],
    ['not a url', /not a URL/],
    [`http://x.example/${'a'.repeat(2100)}`, /longer/],
  ])('skips %s from a certificate', (url, why) => {
    const choice = chooseResponders([url], [], open);
    expect(choice.urls).toEqual([]);
    expect(choice.skipped[0]!.why).toMatch(why);
  });

  it('an override replaces the certificate’s URLs (internal addresses allowed: an operator chose them)', () => {
    expect(chooseResponders(['http://ocsp.corp.example/'], ['http://127.0.0.1:9000/ocsp'], open)).toEqual({ urls: ['http://127.0.0.1:9000/ocsp'], skipped: [], source: 'override' });
  });

  it('allowedOrigins fences both, and lets a listed internal origin through', () => {
    const policy = { allowedOrigins: new Set(['http://127.0.0.1:9000']) };
    expect(chooseResponders(['http://127.0.0.1:9000/ocsp', 'http://ocsp.corp.example/'], [], policy).urls).toEqual(['http://127.0.0.1:9000/ocsp']);
    expect(chooseResponders([], ['http://ocsp.corp.example/'], policy).urls).toEqual([]);
  });
});

describe('urlProblem', () => {
  it('accepts plain http(s) URLs', () => {
    expect(urlProblem('http://ocsp.corp.example/')).toBeUndefined();
    expect(urlProblem('https://ocsp.corp.example:8443/ocsp')).toBeUndefined();
  });
});
