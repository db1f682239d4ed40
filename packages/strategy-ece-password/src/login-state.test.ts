import { describe, expect, it } from 'vitest';
import { MAX_LOGIN_STATE_BYTES, loginStateProblem, parseSsoRedirectLocation, ssoRedirectLocation } from './login-state.js';

describe('loginStateProblem', () => {
  it('accepts small shallow values', () => {
    expect(loginStateProblem({ path: '/x', a: [1, true, null, { b: 'c' }] })).toBeNull();
  });
  it('agrees with JSON.stringify at the byte limit', () => {
    const key = 'k';
    const fill = MAX_LOGIN_STATE_BYTES - JSON.stringify({ [key]: '' }).length;
    expect(loginStateProblem({ [key]: 'x'.repeat(fill) })).toBeNull();
    expect(loginStateProblem({ [key]: 'x'.repeat(fill + 1) })).toBe('too_large');
    expect(loginStateProblem({ [key]: 'é'.repeat(Math.ceil(fill / 2) + 1) })).toBe('too_large');
  });
  it('refuses depth beyond 8 without recursing', () => {
    let v: unknown = 0;
    for (let i = 0; i < 8; i++) v = [v];
    expect(loginStateProblem(v)).toBeNull();
    expect(loginStateProblem([v])).toBe('too_deep');
    let abyss: unknown = 0;
    for (let i = 0; i < 1_000_000; i++) abyss = { a: abyss };
    expect(loginStateProblem(abyss)).toBe('too_deep');
  });
  it('stops early on a huge flat array', () => {
    expect(loginStateProblem({ a: new Array(5_000_000).fill(0) })).toBe('too_large');
  });
});

describe('ssoRedirectLocation', () => {
  it('puts the token in the fragment and the URL-encoded state after it, and parses back', () => {
    const state = { path: '/a?b=c&d=e#f', note: '100% "ok" ✓' };
    const location = ssoRedirectLocation('aaa.bbb.ccc', state);
    expect(location.startsWith('/sso/token#aaa.bbb.ccc?state=%7B%22path%22')).toBe(true);
    expect(location.slice(location.indexOf('#') + 1)).not.toMatch(/[\s"&#]/);
    expect(parseSsoRedirectLocation(location)).toEqual({ token: 'aaa.bbb.ccc', state });
  });
  it('parse refuses other shapes', () => {
    expect(parseSsoRedirectLocation('/elsewhere#t?state=%7B%7D')).toBeNull();
    expect(parseSsoRedirectLocation('/sso/token#t?state=%7Bnot-json')).toBeNull();
    expect(parseSsoRedirectLocation('/sso/token#t?state=%E0%A4%A')).toBeNull();
  });
});
