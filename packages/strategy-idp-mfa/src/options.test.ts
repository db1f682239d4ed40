import { describe, expect, it } from 'vitest';
import { strategyOptionsSchema } from './options.js';

const client = { clientId: 'c', clientSecret: 's', redirectUri: 'https://app.example.com/cb' };

function issuesOf(input: unknown): string[] {
  const r = strategyOptionsSchema.safeParse(input);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))];
}

describe('strategy options', () => {
  it('applies defaults', () => {
    const o = strategyOptionsSchema.parse({ idps: { corp: { type: 'oidc', issuer: 'https://idp.example.com', ...client } } });
    expect(o.mfa).toEqual({
      issuer: 'Gatehouse',
      tempTokenTtlSeconds: 300,
      maxAttemptsPerTempToken: 5,
      maxFailuresPerUser: 10,
      failureWindowMs: 900_000,
      enrolmentTtlSeconds: 600,
      recoveryCodeCount: 10,
    });
    expect(o.idps.corp).toMatchObject({ jit: false, tokenEndpointAuthMethod: 'client_secret_basic', emailClaim: 'email', timeoutMs: 5000, allowInsecureHttpForTesting: false });
    expect(o.refreshTokenTtlSeconds).toBe(7 * 24 * 3600);
    expect(o.passwordRotationDays).toBeUndefined();
  });

  it('refuses http IdP URLs unless the test-only switch is set', () => {
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'http://idp.example.com', ...client } } })).toEqual(['idps.corp.issuer']);
    expect(issuesOf({ idps: { gh: { type: 'oauth2', tokenEndpoint: 'http://x/token', userinfoEndpoint: 'https://x/me', ...client } } })).toEqual(['idps.gh.tokenEndpoint']);
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'http://idp.example.com', ...client, allowInsecureHttpForTesting: true } } })).toEqual([]);
  });

  it('refuses a discovery URL as issuer, a redirect URI with query or fragment, non-http schemes', () => {
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'https://idp.example.com/.well-known/openid-configuration', ...client } } })).toEqual(['idps.corp.issuer']);
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'https://idp.example.com', ...client, redirectUri: 'https://a/cb?x=1' } } })).toEqual(['idps.corp.redirectUri']);
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'https://idp.example.com', ...client, redirectUri: 'https://a/cb#f' } } })).toEqual(['idps.corp.redirectUri']);
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'file:///etc/passwd', ...client } } })).toEqual(['idps.corp.issuer']);
  });

  it('refuses bad IdP ids, unknown keys and a temp token TTL above 5 minutes', () => {
    expect(issuesOf({ idps: { Corp: { type: 'oidc', issuer: 'https://i', ...client } } })).toEqual(['idps.Corp']);
    expect(issuesOf({ idps: { corp: { type: 'oidc', issuer: 'https://i', ...client, extra: 1 } } })).toEqual(['idps.corp']);
    expect(issuesOf({ idps: { corp: { type: 'saml', issuer: 'https://i', ...client } } })).toEqual(['idps.corp.type']);
    expect(issuesOf({ mfa: { tempTokenTtlSeconds: 301 } })).toEqual(['mfa.tempTokenTtlSeconds']);
    expect(issuesOf({ mfa: { maxAttemptsPerTempToken: 0 } })).toEqual(['mfa.maxAttemptsPerTempToken']);
  });
});
