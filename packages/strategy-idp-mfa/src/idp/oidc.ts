/**
 * OpenID Connect: discovery, authorization-code exchange and full ID token validation, all by openid-client.
 *
 * What openid-client checks on the ID token here: signature against the IdP's JWKS (enabled with
 * `enableNonRepudiationChecks`; the alg must be the client's `id_token_signed_response_alg`, RS256 by default),
 * `iss` equal to the discovered issuer, `aud` containing our client id (and `azp` when several audiences),
 * `exp` not passed and `iat` present (both against the injected clock, 30 s tolerance), no `nonce` (the seed's
 * context carries only the code, so none can be expected). Userinfo, when needed, must have the same `sub`.
 */
import {
  ClientError,
  allowInsecureRequests,
  authorizationCodeGrant,
  customFetch,
  discovery,
  enableNonRepudiationChecks,
  fetchUserInfo,
  getJwksCache,
  setJwksCache,
  type ExportedJWKSCache,
  type ServerMetadata,
} from 'openid-client';
import { AuthError } from '@gatehouse-auth/core';
import type { OidcIdpConfig } from '../options.js';
import { buildConfiguration, callbackUrl, type IdpCallDeps } from './client-config.js';
import { idpError } from './errors.js';
import { endpointKey, idpFetch } from './fetch.js';
import { booleanClaim, stringClaim, subjectClaim, type IdpIdentity } from './identity.js';
import type { CachedIdpMetadata } from './metadata-cache.js';

/** Where openid-client looks for the discovery document (`<issuer path>/.well-known/openid-configuration`). */
export function discoveryUrl(issuer: string): URL {
  const url = new URL(issuer);
  url.pathname = `${url.pathname}/.well-known/openid-configuration`.replace('//', '/');
  return url;
}

export async function discoverOidc(idp: OidcIdpConfig, deps: Omit<IdpCallDeps, 'signal'>): Promise<ServerMetadata> {
  const expected = endpointKey(discoveryUrl(idp.issuer));
  try {
    const config = await discovery(new URL(idp.issuer), idp.clientId, undefined, undefined, {
      [customFetch]: idpFetch({ http: deps.http, timeoutMs: idp.timeoutMs, allowed: (u) => endpointKey(u) === expected }),
      timeout: Math.ceil(idp.timeoutMs / 1000),
      // Test-only switch (refused for http: issuers in production config by the options schema).
      execute: idp.allowInsecureHttpForTesting ? [allowInsecureRequests] : [],
    });
    // Plain data only: the helpers openid-client attaches are functions and cannot be cloned.
    const metadata = JSON.parse(JSON.stringify(config.serverMetadata())) as ServerMetadata;
    if (typeof metadata.token_endpoint !== 'string' || typeof metadata.jwks_uri !== 'string') {
      throw new AuthError({ kind: 'upstream_failed', reasonCode: 'idp_metadata_incomplete' });
    }
    return metadata;
  } catch (err) {
    throw idpError(err);
  }
}

/** Userinfo for the ID token's subject; an answer about anyone else is a refused login (401), not an outage. */
async function userinfoFor(config: Parameters<typeof fetchUserInfo>[0], accessToken: string, sub: string): Promise<Record<string, unknown>> {
  try {
    return (await fetchUserInfo(config, accessToken, sub)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ClientError && err.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
      throw new AuthError({ kind: 'unauthenticated', reasonCode: 'userinfo_subject_mismatch', message: 'The identity provider login could not be verified', cause: err });
    }
    throw err;
  }
}

/** Only the endpoints the discovery document names. */
function discoveredEndpoints(metadata: ServerMetadata): (url: URL) => boolean {
  const allowed = new Set(
    [metadata.token_endpoint, metadata.userinfo_endpoint, metadata.jwks_uri].filter((u): u is string => typeof u === 'string').map(endpointKey),
  );
  return (url) => allowed.has(endpointKey(url));
}

/**
 * Downloads the IdP's JWKS (through the same fence) in the form openid-client caches it. Undefined on any
 * failure: openid-client then downloads it itself and reports the failure in its own terms.
 */
export async function downloadJwks(idp: OidcIdpConfig, metadata: ServerMetadata, deps: Omit<IdpCallDeps, 'signal'>): Promise<ExportedJWKSCache | undefined> {
  const jwksUri = metadata.jwks_uri;
  if (typeof jwksUri !== 'string') return undefined;
  const fetcher = idpFetch({ http: deps.http, timeoutMs: idp.timeoutMs, allowed: (u) => endpointKey(u) === endpointKey(jwksUri) });
  try {
    const res = await fetcher(jwksUri, { method: 'GET', headers: { accept: 'application/json' }, body: undefined, redirect: 'manual' });
    if (res.status !== 200) return undefined;
    const jwks = (await res.json()) as { keys?: unknown };
    if (!jwks || !Array.isArray(jwks.keys) || !jwks.keys.every((k) => k && typeof k === 'object' && !Array.isArray(k))) return undefined;
    return { jwks: jwks as ExportedJWKSCache['jwks'], uat: Math.floor(Date.now() / 1000) };
  } catch {
    return undefined;
  }
}

/**
 * The metadata openid-client checks the ID token's `alg` against: what the IdP advertises, narrowed to our
 * allow-list. An IdP advertising `none` or `HS256` cannot widen it; one advertising nothing gets our list.
 */
export function withAllowedAlgorithms(metadata: ServerMetadata, allowed: readonly string[]): ServerMetadata {
  const advertised = metadata.id_token_signing_alg_values_supported;
  const effective = Array.isArray(advertised) ? advertised.filter((alg) => allowed.includes(alg)) : [...allowed];
  // Empty when the IdP supports nothing we accept: every ID token is then refused (401 id_token_alg_not_allowed).
  return { ...metadata, id_token_signing_alg_values_supported: effective.length ? effective : ['(none acceptable)'] };
}

export async function exchangeOidcCode(
  idp: OidcIdpConfig,
  cached: CachedIdpMetadata,
  jwks: ExportedJWKSCache | undefined,
  code: string,
  deps: IdpCallDeps,
): Promise<{ identity: IdpIdentity; jwks: ReturnType<typeof getJwksCache> }> {
  const metadata = withAllowedAlgorithms(cached.metadata, idp.idTokenAlgorithms);
  const config = buildConfiguration(metadata, idp, deps, { allowed: discoveredEndpoints(metadata) });
  enableNonRepudiationChecks(config);
  if (jwks) setJwksCache(config, jwks);
  try {
    const issuerParam = metadata.authorization_response_iss_parameter_supported ? metadata.issuer : undefined;
    const tokens = await authorizationCodeGrant(config, callbackUrl(idp.redirectUri, code, issuerParam), { idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'id_token_missing' });
    const subject = subjectClaim(claims.sub);
    if (!subject) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'id_token_subject_invalid' });
    // The email and whether it is verified come from one source, never mixed: the ID token when it names an
    // email; otherwise userinfo (whose `sub` must be the ID token's), with userinfo's own `email_verified`.
    let source: Record<string, unknown> = claims;
    if (stringClaim(claims[idp.emailClaim]) === null && metadata.userinfo_endpoint) {
      source = await userinfoFor(config, tokens.access_token, claims.sub);
    }
    return {
      identity: {
        subject,
        email: stringClaim(source[idp.emailClaim]),
        name: stringClaim(claims[idp.nameClaim]) ?? stringClaim(source[idp.nameClaim]),
        emailVerified: booleanClaim(source.email_verified),
      },
      jwks: getJwksCache(config),
    };
  } catch (err) {
    throw idpError(err);
  }
}
