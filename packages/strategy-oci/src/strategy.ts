/**
 * `ociStrategy()`: OCI users log in by signing `GET /20160918/users/<userOcid>` for their region's identity
 * host and sending the signed headers; Gatehouse checks everything it can locally, relays the signed GET
 * to OCI Identity, and trusts the user OCI returns only if it is of the identity's tenancy.
 */
import { createHash } from 'node:crypto';
import { AuthError, defineStrategy, type Strategy } from '@gatehouse-auth/core';
import { parseOciSignature } from './authorization-header.js';
import { DEFAULT_REALM_DOMAINS, identityHostParser, invalidHost, normaliseRealmDomains } from './identity-host.js';
import { checkOciUser } from './oci-user.js';
import { relaySignedRequest } from './relay.js';
import { compileRelayOverride, relayUrl, type RelayOverride } from './relay-target.js';
import { checkSignedDates } from './signed-date.js';
import {
  OCI_LOGIN_PATH,
  ociConfigSchema,
  ociLoginRequestSchema,
  ociLoginResponseSchema,
  type OciIdentityConfig,
  type OciLoginRequest,
} from './schemas.js';
import { ociAdminApi } from './admin-api.js';

export interface OciStrategyOptions {
  /** Realm domains whose identity endpoints may be called. Default `['oraclecloud.com']` (commercial realm oc1). */
  realmDomains?: string[];
  /** Allowed distance between the signed date and Gatehouse's clock, seconds. Default and maximum 300 (OCI's own). */
  clockSkewSeconds?: number;
  /** Relay timeout, ms. Default 5000. */
  timeoutMs?: number;
  /** Cap on OCI's answer, bytes. Default 64 KiB (a User is ~1 KiB). */
  maxResponseBytes?: number;
  /** Accept each signature for one login only (default true). */
  replayProtection?: boolean;
  /** Tests only: send the relay for a *validated* OCI identity host to another origin (see relay-target.ts). */
  relayOverride?: RelayOverride;
  /** Defaults to `process.env.NODE_ENV`; decides whether `relayOverride` is allowed. */
  environment?: string;
}

const MAX_SKEW_SECONDS = 300;
const REPLAY_NAMESPACE = 'oci-signature';

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new TypeError(`${name} must be an integer between 1 and ${max}`);
  return value;
}

export function ociStrategy(options: OciStrategyOptions = {}): Strategy<OciLoginRequest, OciIdentityConfig> {
  const realmDomains = normaliseRealmDomains(options.realmDomains ?? [...DEFAULT_REALM_DOMAINS]);
  const parseHost = identityHostParser(realmDomains);
  const skewMs = positiveInt('clockSkewSeconds', options.clockSkewSeconds ?? MAX_SKEW_SECONDS, MAX_SKEW_SECONDS) * 1000;
  const limits = {
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs ?? 5_000, 60_000),
    maxResponseBytes: positiveInt('maxResponseBytes', options.maxResponseBytes ?? 64 * 1024, 1024 * 1024),
  };
  const replayProtection = options.replayProtection ?? true;
  const overrides = compileRelayOverride(options.relayOverride, parseHost, options.environment ?? process.env.NODE_ENV);

  return defineStrategy({
    id: 'oci',
    route: { method: 'POST', path: OCI_LOGIN_PATH },
    dialect: 'infisical',
    requestSchema: ociLoginRequestSchema,
    responseSchema: ociLoginResponseSchema,
    configSchema: ociConfigSchema(realmDomains),
    admin: ociAdminApi,
    openapi: {
      summary: 'Login with OCI Auth for machine identity',
      description: 'The caller signs GET /20160918/users/<userOcid> for its region\'s OCI Identity host and sends the signed headers.',
      tags: ['OCI Auth'],
      operationId: 'loginWithOciAuth',
    },

    async authenticate(input, ctx) {
      // 1. SSRF guard first: nothing below may run for a host that is not an OCI identity endpoint.
      const identityHost = parseHost(input.headers.host);
      if (!identityHost) throw invalidHost();

      // 2. Bind the signature to this login: parse it, keyId user = userOcid, signed date within the window.
      const signature = parseOciSignature(input.headers.authorization);
      if (signature.keyId.userOcid !== input.userOcid) {
        throw new AuthError({ kind: 'unauthenticated', reasonCode: 'key_id_user_mismatch', message: "The signature's keyId names a different user than userOcid" });
      }
      const now = ctx.clock.now();
      const signedAt = checkSignedDates(signature.signedHeaders, input.headers, now, skewMs);

      // 3. The identity's own fences, still before any network call.
      const { identity, method } = await ctx.identityMethod(input.identityId, { organizationSlug: input.organizationSlug });
      const config = method.config as OciIdentityConfig;
      if (config.realmDomains && !config.realmDomains.includes(identityHost.realmDomain)) throw invalidHost('realm_not_allowed_for_identity');
      if (signature.keyId.tenancyOcid !== config.tenancyOcid) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'key_id_tenancy_mismatch' });

      // 4. Relay exactly the signed headers; OCI verifies the signature against the user's registered key.
      const forwarded: Record<string, string> = { authorization: input.headers.authorization };
      for (const name of signature.signedHeaders) {
        if (name === '(request-target)') continue;
        const value = input.headers[name as 'host' | 'date' | 'x-date'];
        if (value === undefined) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signed_header_missing', message: `The signed header ${name} is missing from headers` });
        forwarded[name] = value;
      }
      const body = await relaySignedRequest(ctx, relayUrl(identityHost, input.userOcid, overrides), forwarded, limits);
      const user = checkOciUser(body, { userOcid: input.userOcid, tenancyOcid: config.tenancyOcid, allowedUsernames: config.allowedUsernames });

      // 5. One login per signature: a captured body cannot be replayed inside the date window.
      if (replayProtection) {
        const key = createHash('sha256').update(signature.signature).digest('base64url');
        const fresh = await ctx.stores.replay.claim(REPLAY_NAMESPACE, key, new Date(signedAt.getTime() + skewMs), now);
        if (!fresh) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signature_replayed', message: 'This signed request was already used to log in' });
      }

      return {
        kind: 'authenticated',
        subject: { type: 'identity', id: identity.id },
        token: method.token,
        audit: { userOcid: user.id, username: user.name, tenancyOcid: user.compartmentId, region: identityHost.region, realmDomain: identityHost.realmDomain },
      };
    },
  });
}
