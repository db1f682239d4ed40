/**
 * Plain OAuth 2.0 IdPs (GitHub style): authorization-code exchange through openid-client at the configured
 * token endpoint, then the configured userinfo endpoint, whose JSON is mapped to subject, email and name.
 */
import { authorizationCodeGrant, fetchProtectedResource, type ServerMetadata } from 'openid-client';
import { AuthError, type OutboundResponse } from '@gatehouse-auth/core';
import type { OAuth2IdpConfig } from '../options.js';
import { buildConfiguration, callbackUrl, type IdpCallDeps } from './client-config.js';
import { idpError } from './errors.js';
import { endpointKey } from './fetch.js';
import { booleanClaim, stringClaim, subjectClaim, type IdpIdentity } from './identity.js';

export function oauth2Metadata(idp: OAuth2IdpConfig): ServerMetadata {
  return {
    issuer: new URL(idp.tokenEndpoint).origin,
    token_endpoint: idp.tokenEndpoint,
    userinfo_endpoint: idp.userinfoEndpoint,
    ...(idp.authorizationEndpoint ? { authorization_endpoint: idp.authorizationEndpoint } : {}),
  };
}

/**
 * An OAuth2 IdP is not validated as an OpenID provider (no issuer, no JWKS configured), so an `id_token` it
 * may return is removed before openid-client sees it: it must be neither half-checked nor trusted.
 */
function dropIdToken(tokenEndpoint: string) {
  const key = endpointKey(tokenEndpoint);
  return (url: URL, response: OutboundResponse): Buffer => {
    if (endpointKey(url) !== key) return response.body;
    try {
      const json = JSON.parse(response.body.toString('utf8')) as unknown;
      if (json && typeof json === 'object' && !Array.isArray(json) && 'id_token' in json) {
        const { id_token: _dropped, ...rest } = json as Record<string, unknown>;
        return Buffer.from(JSON.stringify(rest));
      }
    } catch {
      // Not JSON: openid-client reports it as a garbage answer.
    }
    return response.body;
  };
}

export async function exchangeOAuth2Code(idp: OAuth2IdpConfig, code: string, deps: IdpCallDeps): Promise<IdpIdentity> {
  const allowed = new Set([endpointKey(idp.tokenEndpoint), endpointKey(idp.userinfoEndpoint)]);
  const config = buildConfiguration(oauth2Metadata(idp), idp, deps, {
    allowed: (url) => allowed.has(endpointKey(url)),
    rewrite: dropIdToken(idp.tokenEndpoint),
  });
  let info: unknown;
  try {
    const tokens = await authorizationCodeGrant(config, callbackUrl(idp.redirectUri, code));
    const headers = new Headers({ accept: 'application/json' });
    const response = await fetchProtectedResource(config, tokens.access_token, new URL(idp.userinfoEndpoint), 'GET', undefined, headers);
    if (response.status === 401 || response.status === 403) {
      throw new AuthError({ kind: 'unauthenticated', reasonCode: 'idp_access_token_rejected' });
    }
    if (response.status !== 200) throw new AuthError({ kind: 'upstream_failed', reasonCode: 'idp_userinfo_failed' });
    info = JSON.parse(await response.text());
  } catch (err) {
    if (err instanceof SyntaxError) throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
    throw idpError(err);
  }
  if (!info || typeof info !== 'object' || Array.isArray(info)) {
    throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
  }
  const claims = info as Record<string, unknown>;
  const subject = subjectClaim(claims[idp.subjectClaim]) ?? subjectClaim(claims.id);
  if (!subject) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'idp_subject_missing', message: 'The identity provider did not return a user id' });
  return {
    subject,
    email: stringClaim(claims[idp.emailClaim]),
    name: stringClaim(claims[idp.nameClaim]),
    emailVerified: booleanClaim(claims.email_verified),
  };
}
