import { describe, expect, it } from 'vitest';
import { compileGlob, matchSegment } from './glob.js';

describe('matchSegment', () => {
  it.each([
    ['client-*', 'client-1', true],
    ['client-*', 'client-', true],
    ['client-*', 'clients', false],
    ['*', '', true],
    ['*-prod', 'api-prod', true],
    ['*-prod', 'api-prod-2', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['?', 'a', false], // only `*` is special
    ['[ab]', 'a', false],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(matchSegment(pattern, value)).toBe(expected);
  });

  it('stays fast on the inputs that make backtracking regexes explode', () => {
    // picomatch took over 30 s for this shape; here it is a few million steps at most.
    const pattern = `${'*a'.repeat(30)}*b`;
    const value = 'a'.repeat(1024);
    expect(matchSegment(pattern, value)).toBe(false);
    expect(matchSegment(pattern, `${value}b`)).toBe(true);
  });
});

describe('compileGlob with segments', () => {
  const dns = (p: string) => compileGlob(p, { separator: '.', caseInsensitive: true });
  const uri = (p: string) => compileGlob(p, { separator: '/' });

  it('`*` stays inside one DNS label', () => {
    expect(dns('*.svc.cluster.local')('api.svc.cluster.local')).toBe(true);
    expect(dns('*.svc.cluster.local')('a.b.svc.cluster.local')).toBe(false);
    expect(dns('*.svc.cluster.local')('svc.cluster.local')).toBe(false);
    expect(dns('*.SVC.cluster.local')('API.svc.Cluster.local')).toBe(true);
  });

  it('`**` spans one or more labels or path segments', () => {
    expect(dns('**.example.com')('a.b.example.com')).toBe(true);
    expect(dns('**.example.com')('example.com')).toBe(false);
    expect(uri('spiffe://prod/**')('spiffe://prod/ns/default/sa/api')).toBe(true);
    expect(uri('spiffe://prod/**')('spiffe://prod')).toBe(false);
    expect(uri('spiffe://prod/*')('spiffe://prod/ns/default')).toBe(false);
    expect(uri('spiffe://prod/ns/*/sa/api')('spiffe://prod/ns/default/sa/api')).toBe(true);
    expect(uri('spiffe://prod/**')('spiffe://production/x')).toBe(false);
  });

  it('is case-sensitive unless asked', () => {
    expect(uri('spiffe://prod/*')('spiffe://PROD/x')).toBe(false);
    expect(compileGlob('Client-*')('client-1')).toBe(false);
  });
});
