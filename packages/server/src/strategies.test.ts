/**
 * Test upstreams from a config file (OCI relay override, plain-http IdPs): settable outside demo mode, refused
 * with NODE_ENV=production unless their own production flag is set, named in the start-up log, and really used.
 */
import { buildOciLoginBody } from '@gatehouse-auth/client';
import { createGatehouse, createMemoryStores } from '@gatehouse-auth/core';
import { createOciIdentityEmulator, createOciTestUser, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './config/load.js';
import type { GatehouseConfigInput } from './config/schema.js';
import { ConfigError } from './errors.js';
import { buildStrategies, testUpstreamWarnings } from './strategies.js';

const HOST = 'identity.us-ashburn-1.oraclecloud.com';
const configOf = (input: GatehouseConfigInput) => resolveConfig(input as Record<string, unknown>, '/tmp').config;
const build = (input: GatehouseConfigInput, env: Record<string, string | undefined> = {}) => buildStrategies(configOf(input), null, env);
const refusal = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

const idp = (extra: Record<string, unknown> = {}) => ({
  type: 'oidc' as const,
  issuer: 'http://127.0.0.1:9/test-idp',
  clientId: 'gatehouse',
  clientSecret: 'test-secret',
  redirectUri: 'http://127.0.0.1:8080/callback',
  ...extra,
});

describe('strategies.oci.relayOverride', () => {
  const user = createOciTestUser({ name: 'relay-user' });
  let oci: OciIdentityEmulator;
  beforeAll(async () => {
    oci = await createOciIdentityEmulator({ users: [user] });
  });
  afterAll(() => oci.close());

  it('sends a login signed for the real identity host to the configured origin', async () => {
    const strategies = build({ strategies: { oci: { relayOverride: { origins: { [HOST]: oci.url } } } } });
    const gh = createGatehouse({ strategies, stores: createMemoryStores() });
    const identity = await gh.admin.createIdentity({ name: 'relay' });
    await gh.admin.attachMethod(identity.id, 'oci', { tenancyOcid: user.tenancyId });
    const body = await buildOciLoginBody({
      identityId: identity.id,
      userOcid: user.id,
      tenancyOcid: user.tenancyId,
      fingerprint: user.fingerprint,
      privateKeyPem: user.privateKeyPem,
      region: 'us-ashburn-1',
    });
    expect(body.headers.host).toBe(HOST);
    const before = oci.requestCount;
    const res = await gh.handle({ method: 'POST', path: '/api/v1/auth/oci-auth/login', headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' });
    expect(res.status).toBe(200);
    expect(oci.requestCount).toBe(before + 1);
    await gh.close();
  });

  it('is refused with NODE_ENV=production unless allowInProduction names it; then it is logged', () => {
    const relay = { origins: { [HOST]: 'http://127.0.0.1:4321' } };
    const err = refusal(() => build({ strategies: { oci: { relayOverride: relay } } }, { NODE_ENV: 'production' }));
    expect(err.message).toMatch(/strategies\.oci\.relayOverride is refused when NODE_ENV=production; set strategies\.oci\.relayOverride\.allowInProduction: true/);
    expect(build({ strategies: { oci: { relayOverride: { ...relay, allowInProduction: true } } } }, { NODE_ENV: 'production' }).map((s) => s.id)).toContain('oci');
    expect(testUpstreamWarnings(configOf({ strategies: { oci: { relayOverride: relay } } }))).toEqual([
      `strategies.oci.relayOverride: OCI logins signed for ${HOST} are sent to http://127.0.0.1:4321`,
    ]);
  });

  it('an origin for a host that is not an OCI identity host is a config error naming the key', () => {
    const err = refusal(() => build({ strategies: { oci: { relayOverride: { origins: { 'evil.example.com': 'http://127.0.0.1:1' } } } } }));
    expect(err.message).toMatch(/^strategies\.oci: relayOverride: "evil\.example\.com" is not an OCI Identity host/);
  });
});

describe('strategies.idpMfa.idps.<id>.allowInsecureHttpForTesting', () => {
  const idpMfa = (strategies: ReturnType<typeof build>) => strategies.find((s) => s.id === 'idp-mfa') as unknown as { options: { idps: Record<string, { allowInsecureHttpForTesting: boolean }> } };

  it('a plain-http IdP is refused without it, naming the field', () => {
    const err = refusal(() => build({ strategies: { idpMfa: { idps: { test: idp() } } } }));
    expect(err.message).toMatch(/^strategies\.idpMfa: idps\.test\.issuer: must be https/);
  });

  it('with it the IdP is built for plain http, and the start-up log names it', () => {
    const input = { strategies: { idpMfa: { idps: { test: idp({ allowInsecureHttpForTesting: true }) } } } };
    expect(idpMfa(build(input)).options.idps.test!.allowInsecureHttpForTesting).toBe(true);
    expect(testUpstreamWarnings(configOf(input))).toEqual(['strategies.idpMfa.idps.test.allowInsecureHttpForTesting: the IdP is called over plain http']);
    expect(testUpstreamWarnings(configOf({ strategies: { idpMfa: { idps: { prod: idp({ issuer: 'https://login.example.com' }) } } } }))).toEqual([]);
  });

  it('with NODE_ENV=production it also needs allowInsecureHttpInProduction', () => {
    const err = refusal(() => build({ strategies: { idpMfa: { idps: { test: idp({ allowInsecureHttpForTesting: true }) } } } }, { NODE_ENV: 'production' }));
    expect(err.message).toMatch(/strategies\.idpMfa\.idps\.test\.allowInsecureHttpForTesting is refused when NODE_ENV=production; set strategies\.idpMfa\.idps\.test\.allowInsecureHttpInProduction: true/);
    const ok = build({ strategies: { idpMfa: { idps: { test: idp({ allowInsecureHttpForTesting: true, allowInsecureHttpInProduction: true }) } } } }, { NODE_ENV: 'production' });
    expect(idpMfa(ok).options.idps.test!.allowInsecureHttpForTesting).toBe(true);
  });
});
