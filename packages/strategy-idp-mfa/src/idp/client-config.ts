/**
 * Builds an openid-client `Configuration` per login from cached metadata: per login because the outbound
 * fetch carries this request's abort signal and the clock skew follows the injected clock.
 */
import {
  ClientSecretBasic,
  ClientSecretPost,
  Configuration,
  allowInsecureRequests,
  clockSkew,
  clockTolerance,
  customFetch,
  type ServerMetadata,
} from 'openid-client';
import type { Clock, OutboundHttp } from '@gatehouse-auth/core';
import type { IdpConfig } from '../options.js';
import { idpFetch, type IdpFetchOptions } from './fetch.js';

export interface IdpCallDeps {
  http: OutboundHttp;
  clock: Clock;
  signal?: AbortSignal;
}

/** Seconds of leeway on ID token `exp`/`iat` (openid-client's default, stated here so it is visible). */
export const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 30;

/**
 * openid-client reads the wall clock and adds `clockSkew`; setting the skew to (injected − wall) makes every
 * time check it does (ID token `exp`, `iat`, `auth_time`) use the injected clock instead.
 */
export function skewToInjectedClock(clock: Clock): number {
  return Math.round((clock.now().getTime() - Date.now()) / 1000);
}

export function buildConfiguration(
  metadata: ServerMetadata,
  idp: IdpConfig,
  deps: IdpCallDeps,
  fetchOptions: Pick<IdpFetchOptions, 'allowed' | 'rewrite'>,
): Configuration {
  const auth = idp.tokenEndpointAuthMethod === 'client_secret_post' ? ClientSecretPost(idp.clientSecret) : ClientSecretBasic(idp.clientSecret);
  const config = new Configuration(
    metadata,
    idp.clientId,
    { [clockSkew]: skewToInjectedClock(deps.clock), [clockTolerance]: ID_TOKEN_CLOCK_TOLERANCE_SECONDS },
    auth,
  );
  config[customFetch] = idpFetch({ http: deps.http, timeoutMs: idp.timeoutMs, signal: deps.signal, ...fetchOptions });
  config.timeout = Math.ceil(idp.timeoutMs / 1000);
  // Test-only switch (refused for http: URLs in production config by the options schema).
  if (idp.allowInsecureHttpForTesting) allowInsecureRequests(config);
  return config;
}

/** The authorization response the frontend received, rebuilt from the code alone. */
export function callbackUrl(redirectUri: string, code: string, issuer?: string): URL {
  const url = new URL(redirectUri);
  url.searchParams.set('code', code);
  // RFC 9207: servers that advertise `iss` in responses make openid-client require it; the code came from
  // the IdP the caller named, so we assert that issuer here.
  if (issuer) url.searchParams.set('iss', issuer);
  return url;
}
