/**
 * The five strategies, built from the config. In demo mode the upstreams are the in-process emulators:
 * STS's allow-list holds only the emulator, OCI's relay goes to the OCI emulator for the one real identity
 * host the demo user signs for, and the IdP is the loopback OpenID provider.
 *
 * Outside demo mode a config file may point OCI and IdPs at test upstreams too (`strategies.oci.relayOverride`,
 * `allowInsecureHttpForTesting` on an IdP). With `NODE_ENV=production` each needs its own explicit
 * production flag, and `testUpstreamWarnings` names every one in the start-up log.
 */
import type { Strategy } from '@gatehouse-auth/core';
import { alicloudStrategy } from '@gatehouse-auth/strategy-alicloud';
import { ociStrategy } from '@gatehouse-auth/strategy-oci';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { idpMfaStrategy, type IdpMfaOptionsInput } from '@gatehouse-auth/strategy-idp-mfa';
import { tlsCertStrategy } from '@gatehouse-auth/strategy-tls-cert';
import type { GatehouseConfig } from './config/schema.js';
import type { DemoUpstreamUrls } from './demo/contract.js';
import { configError } from './errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- strategies are heterogeneous by design
export type AnyStrategy = Strategy<any, any>;

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A strategy's own option check failing at start is a config error naming the strategy's config key. */
function built<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    if (Array.isArray(issues)) throw configError(`${key}: ${issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`);
    if (err instanceof TypeError) throw configError(`${key}: ${err.message}`);
    throw err;
  }
}

/** One line per test upstream a non-demo config points at, for the start-up log (empty in demo mode). */
export function testUpstreamWarnings(config: GatehouseConfig): string[] {
  if (config.mode === 'demo') return [];
  const out: string[] = [];
  for (const [host, origin] of Object.entries(config.strategies.oci.relayOverride?.origins ?? {})) {
    out.push(`strategies.oci.relayOverride: OCI logins signed for ${host} are sent to ${origin}`);
  }
  for (const [id, idp] of Object.entries(config.strategies.idpMfa.idps)) {
    if (idp.allowInsecureHttpForTesting) out.push(`strategies.idpMfa.idps.${id}.allowInsecureHttpForTesting: the IdP is called over plain http`);
  }
  return out;
}

/** `cookies.secure`, defaulting to `always` in production and `auto` in demo mode. */
export function cookieSecurity(config: GatehouseConfig): 'always' | 'auto' {
  return config.cookies.secure ?? (config.mode === 'production' ? 'always' : 'auto');
}

export function buildStrategies(config: GatehouseConfig, demo: DemoUpstreamUrls | null, env: Record<string, string | undefined> = process.env): AnyStrategy[] {
  const s = config.strategies;
  const out: AnyStrategy[] = [];
  const production = env.NODE_ENV === 'production';

  if (s.alicloud.enabled) {
    out.push(
      alicloudStrategy(
        defined({
          stsEndpoints: demo ? { global: demo.stsUrl } : s.alicloud.stsEndpoints,
          defaultStsRegion: demo ? 'global' : s.alicloud.defaultStsRegion,
          timeoutMs: s.alicloud.timeoutMs,
          maxResponseBytes: s.alicloud.maxResponseBytes,
          timestampSkewSeconds: s.alicloud.timestampSkewSeconds,
        }),
      ),
    );
  }

  if (s.oci.enabled) {
    const relay = s.oci.relayOverride;
    if (!demo && relay && production && relay.allowInProduction !== true) {
      throw configError('strategies.oci.relayOverride is refused when NODE_ENV=production; set strategies.oci.relayOverride.allowInProduction: true if this is really intended');
    }
    out.push(
      built('strategies.oci', () =>
        ociStrategy(
          defined({
            realmDomains: s.oci.realmDomains,
            clockSkewSeconds: s.oci.clockSkewSeconds,
            timeoutMs: s.oci.timeoutMs,
            maxResponseBytes: s.oci.maxResponseBytes,
            relayOverride: demo ? { origins: demo.ociRelay } : relay ? defined({ origins: relay.origins, allowInProduction: relay.allowInProduction }) : undefined,
            environment: env.NODE_ENV,
          }),
        ),
      ),
    );
  }

  if (s.tlsCert.enabled) {
    out.push(tlsCertStrategy(defined({ certificateHeader: s.tlsCert.certificateHeader, trustedProxies: s.tlsCert.trustedProxies })));
  }

  if (s.ecePassword.enabled) {
    out.push(
      ecePasswordStrategy(
        defined({
          sessionLifetimeSeconds: s.ecePassword.sessionLifetimeSeconds,
          sessionMaxLifetimeSeconds: s.ecePassword.sessionMaxLifetimeSeconds,
          lockout: s.ecePassword.lockout,
        }),
      ),
    );
  }

  if (s.idpMfa.enabled) {
    const idps: NonNullable<IdpMfaOptionsInput['idps']> = {};
    for (const [id, idp] of Object.entries(s.idpMfa.idps)) {
      if (!idp.clientSecret) throw new Error(`strategies.idpMfa.idps.${id}.clientSecret is not set (GATEHOUSE_IDP_${id.toUpperCase().replaceAll('-', '_')}_CLIENT_SECRET)`);
      if (idp.allowInsecureHttpForTesting && production && idp.allowInsecureHttpInProduction !== true) {
        throw configError(
          `strategies.idpMfa.idps.${id}.allowInsecureHttpForTesting is refused when NODE_ENV=production; set strategies.idpMfa.idps.${id}.allowInsecureHttpInProduction: true if this is really intended`,
        );
      }
      const insecure = idp.allowInsecureHttpForTesting ? { allowInsecureHttpForTesting: true } : {};
      idps[id] =
        idp.type === 'oidc'
          ? defined({ type: 'oidc' as const, issuer: idp.issuer!, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, scopes: idp.scopes, jit: idp.jit, ...insecure })
          : defined({
              type: 'oauth2' as const,
              authorizationEndpoint: idp.authorizationEndpoint,
              tokenEndpoint: idp.tokenEndpoint!,
              userinfoEndpoint: idp.userinfoEndpoint!,
              clientId: idp.clientId,
              clientSecret: idp.clientSecret,
              redirectUri: idp.redirectUri,
              scopes: idp.scopes,
              jit: idp.jit,
              ...insecure,
            });
    }
    if (demo?.idp) {
      idps.demo = {
        type: 'oidc',
        issuer: demo.idp.issuer,
        clientId: demo.idp.clientId,
        clientSecret: demo.idp.clientSecret,
        redirectUri: demo.idp.redirectUri,
        scopes: ['openid', 'email', 'profile'],
        jit: true,
        // The demo IdP is plain http on loopback.
        allowInsecureHttpForTesting: true,
      };
    }
    out.push(
      built('strategies.idpMfa', () =>
        idpMfaStrategy(
          defined({
            idps,
            passwordRotationDays: s.idpMfa.passwordRotationDays,
            refreshTokenTtlSeconds: s.idpMfa.refreshTokenTtlSeconds,
            mfa: s.idpMfa.mfaIssuer ? { issuer: s.idpMfa.mfaIssuer } : undefined,
            password: s.idpMfa.lockout ? { lockout: s.idpMfa.lockout } : undefined,
            cookies: { secure: cookieSecurity(config) },
          }),
        ),
      ),
    );
  }
  return out;
}
