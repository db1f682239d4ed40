import { describe, expect, it } from 'vitest';
import { compileCommonNames, compileSubjectAltNames, parseSanPattern } from './allow-list.js';
import type { SubjectAltName } from './parse-certificate.js';

describe('parseSanPattern', () => {
  it('reads the type prefix (any case)', () => {
    expect(parseSanPattern('DNS:*.example.com')).toEqual({ type: 'dns', pattern: '*.example.com' });
    expect(parseSanPattern('uri:spiffe://prod/*')).toEqual({ type: 'uri', pattern: 'spiffe://prod/*' });
  });
  it.each([
    ['*.example.com', /must start with/],
    ['x509:foo', /must start with/],
    ['dns:', /empty/],
    ['ip:10.0.0.*', /CIDR/],
    ['ip:300.0.0.0/8', /CIDR/],
    ['dns:exa mple.com', /dns:/],
    ['email:nobody', /exactly one "@"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSanPattern(text)).toThrow(message);
  });
});

describe('compileSubjectAltNames', () => {
  const allow = compileSubjectAltNames(['dns:*.prod.svc.cluster.local', 'ip:10.0.0.0/8', 'ip:2001:db8::/32', 'uri:spiffe://prod/**', 'email:*@corp.example'])!;
  const one = (type: SubjectAltName['type'], value: string) => allow([{ type, value }]);

  it('matches each type only against SANs of that type', () => {
    expect(one('dns', 'api.prod.svc.cluster.local')).toBe(true);
    expect(one('dns', 'api.staging.svc.cluster.local')).toBe(false);
    expect(one('uri', 'api.prod.svc.cluster.local')).toBe(false);
    expect(one('dns', 'spiffe://prod/x')).toBe(false);
  });
  it('matches IPs by CIDR, IPv4 and IPv6', () => {
    expect(one('ip', '10.200.3.4')).toBe(true);
    expect(one('ip', '11.0.0.1')).toBe(false);
    expect(one('ip', '2001:db8::7')).toBe(true);
    expect(one('ip', '2001:db9::7')).toBe(false);
  });
  it('matches emails with one "@", domain case-insensitively', () => {
    expect(one('email', 'svc@corp.example')).toBe(true);
    expect(one('email', 'svc@CORP.example')).toBe(true);
    expect(one('email', 'svc@evil.corp.example')).toBe(false);
    expect(one('email', 'a@b@corp.example')).toBe(false);
  });
  it('needs one matching SAN among several; none → false', () => {
    expect(allow([{ type: 'dns', value: 'evil.example' }, { type: 'uri', value: 'spiffe://prod/ns/a' }])).toBe(true);
    expect(allow([{ type: 'dns', value: 'evil.example' }])).toBe(false);
    expect(allow([])).toBe(false);
  });
  it('never matches absurdly long values', () => {
    expect(one('dns', `${'a'.repeat(2000)}.prod.svc.cluster.local`)).toBe(false);
  });
  it('an empty list means no SAN restriction', () => {
    expect(compileSubjectAltNames([])).toBeUndefined();
    expect(compileCommonNames([])).toBeUndefined();
  });
});

describe('compileCommonNames', () => {
  it('matches CNs by glob, case-sensitively', () => {
    const allow = compileCommonNames(['client-*', 'build-agent'])!;
    expect(allow('client-7')).toBe(true);
    expect(allow('build-agent')).toBe(true);
    expect(allow('Client-7')).toBe(false);
    expect(allow('build-agent-2')).toBe(false);
  });
});
