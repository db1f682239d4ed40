import { describe, expect, it } from 'vitest';
import { parsePublicUrls, requestUrls, type UrlFacts } from './request-urls.js';

const facts = (over: Partial<UrlFacts> = {}): UrlFacts => ({
  path: '/api/v1/auth/token/renew',
  headers: { host: 'auth.internal:8080' },
  socketAddress: '10.0.0.5',
  protocol: 'http',
  ...over,
});

describe('requestUrls: what a DPoP proof’s htu is compared with', () => {
  it('configured public URLs win: Host and X-Forwarded-* are ignored, a path prefix is kept', () => {
    const publicUrls = parsePublicUrls(['https://auth.example.com/', 'https://edge.example.com/gatehouse']);
    const urls = requestUrls(facts({ headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } }), { publicUrls, trustProxy: true });
    expect(urls).toEqual(['https://auth.example.com/api/v1/auth/token/renew', 'https://edge.example.com/gatehouse/api/v1/auth/token/renew']);
  });

  it('without them: the connection’s scheme and the Host header', () => {
    expect(requestUrls(facts(), { publicUrls: [], trustProxy: false })).toEqual(['http://auth.internal:8080/api/v1/auth/token/renew']);
    expect(requestUrls(facts({ protocol: 'https' }), { publicUrls: [], trustProxy: false })).toEqual(['https://auth.internal:8080/api/v1/auth/token/renew']);
  });

  it('X-Forwarded-Proto and X-Forwarded-Host count only from a trusted proxy (the nearest value)', () => {
    const headers = { host: 'auth.internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'spoofed.example, auth.example.com' };
    expect(requestUrls(facts({ headers }), { publicUrls: [], trustProxy: ['10.0.0.0/8'] })).toEqual(['https://auth.example.com/api/v1/auth/token/renew']);
    expect(requestUrls(facts({ headers, socketAddress: '192.0.2.9' }), { publicUrls: [], trustProxy: ['10.0.0.0/8'] })).toEqual(['http://auth.internal:8080/api/v1/auth/token/renew']);
  });

  it.each([
    ['no Host', {}],
    ['a Host with a path', { host: 'a.example/x' }],
    ['a Host with credentials', { host: 'user@a.example' }],
    ['a Host with a space', { host: 'a.example b' }],
    ['two Hosts', { host: ['a.example', 'b.example'] }],
  ])('%s gives no URL (every proof then fails its htu check)', (_label, headers) => {
    expect(requestUrls(facts({ headers: headers as UrlFacts['headers'] }), { publicUrls: [], trustProxy: false })).toEqual([]);
  });

  it('accepts IP literals and ports as authorities', () => {
    expect(requestUrls(facts({ headers: { host: '127.0.0.1:4000' } }), { publicUrls: [], trustProxy: false })).toEqual(['http://127.0.0.1:4000/api/v1/auth/token/renew']);
    expect(requestUrls(facts({ headers: { host: '[::1]:4000' } }), { publicUrls: [], trustProxy: false })).toEqual(['http://[::1]:4000/api/v1/auth/token/renew']);
  });

  it('parsePublicUrls names a bad entry', () => {
    expect(() => parsePublicUrls(['auth.example.com'])).toThrow(/not a URL/);
    expect(() => parsePublicUrls(['https://auth.example.com/?x=1'])).toThrow(/without credentials, query or fragment/);
    expect(() => parsePublicUrls(['ftp://auth.example.com'])).toThrow(/http\(s\)/);
  });
});
