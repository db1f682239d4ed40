/**
 * The five strategies, built from the config. In demo mode the upstreams are the in-process emulators:
 * STS's allow-list holds only the emulator, OCI's relay goes to the OCI emulator for the one real identity
 * host the demo user signs for, and the IdP is the loopback OpenID provider.
 */
import type { Strategy } from '@gatehouse-auth/core';
import { alicloudStrategy } from '@gatehouse-auth/strategy-alicloud';
import { ociStrategy } from '@gatehouse-auth/strategy-oci';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { idpMfaStrategy, type IdpMfaOptionsInput } from '@gatehouse-auth/strategy-idp-mfa';
import { tlsCertStrategy } from '@gatehouse-auth/strategy-tls-cert';
import type { GatehouseConfig } from './config/schema.js';
import type { DemoUpstreamUrls } from './demo/contract.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- strategies are heterogeneous by design
export type AnyStrategy = Strategy<any, any>;

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `cookies.secure`, defaulting to `always` in production and `auto` in demo mode. */
export function cookieSecurity(config: GatehouseConfig): 'always' | 'auto' {
  return config.cookies.secure ?? (config.mode === 'production' ? 'always' : 'auto');
}

export function buildStrategies(config: GatehouseConfig, demo: DemoUpstreamUrls | null, env: Record<string, string | undefined> = process.env): AnyStrategy[] {
  const s = config.strategies;
  const out: AnyStrategy[] = [];

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
    out.push(
      ociStrategy(
        defined({
          realmDomains: s.oci.realmDomains,
          clockSkewSeconds: s.oci.clockSkewSeconds,
          timeoutMs: s.oci.timeoutMs,
          maxResponseBytes: s.oci.maxResponseBytes,
          relayOverride: demo ? { origins: demo.ociRelay } : undefined,
          environment: env.NODE_ENV,
        }),
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
      idps[id] =
        idp.type === 'oidc'
          ? defined({ type: 'oidc' as const, issuer: idp.issuer!, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, scopes: idp.scopes, jit: idp.jit })
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
    );
  }
  return out;
}
