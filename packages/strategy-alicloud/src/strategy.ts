/**
 * `POST /api/v1/auth/alicloud-auth/login`: a machine proves it holds Alibaba Cloud RAM credentials by
 * sending a signed STS GetCallerIdentity request (never its secret). Gatehouse checks it locally, has STS
 * verify it, and admits the ARN STS reports if the identity allows it.
 */
import { AuthError, defineStrategy, tokenResponseSchema, type Strategy } from '@gatehouse-auth/core';
import { findAllowedArn } from './arn.js';
import { createAlicloudConfigSchema, type AlicloudIdentityConfig } from './config-schema.js';
import { alicloudAdminApi } from './admin-api.js';
import { getCallerIdentity } from './get-caller-identity.js';
import { checkTimestampWindow, claimNonce } from './local-checks.js';
import { alicloudLoginSchema, parseAlibabaTimestamp, type AlicloudLoginInput } from './request-schema.js';
import { DEFAULT_STS_ENDPOINTS, GLOBAL_STS_REGION, normaliseStsEndpoints } from './sts-endpoints.js';

export const ALICLOUD_LOGIN_PATH = '/api/v1/auth/alicloud-auth/login';

export interface AlicloudStrategyOptions {
  /**
   * Allow-list of STS origins keyed by region. Default: `global` → `https://sts.aliyuncs.com` plus
   * `https://sts.<region>.aliyuncs.com` for every region in `KNOWN_STS_REGIONS`. Plain http is accepted
   * only for loopback hosts (test emulators).
   */
  stsEndpoints?: Readonly<Record<string, string>>;
  /** Region used for identities whose config names none. Default `global` (or the only key). */
  defaultStsRegion?: string;
  /** Whole-exchange timeout for the STS call. Default 5000 ms. */
  timeoutMs?: number;
  /** STS answers larger than this are refused (502). Default 64 KiB. */
  maxResponseBytes?: number;
  /** Accepted Timestamp skew, either way, seconds. Default 900 (15 min, as STS). */
  timestampSkewSeconds?: number;
}

export function alicloudStrategy(options: AlicloudStrategyOptions = {}): Strategy<AlicloudLoginInput, AlicloudIdentityConfig> {
  const endpoints = normaliseStsEndpoints(options.stsEndpoints ?? DEFAULT_STS_ENDPOINTS);
  const regions = [...endpoints.keys()];
  const defaultRegion = options.defaultStsRegion ?? (endpoints.has(GLOBAL_STS_REGION) || regions.length !== 1 ? GLOBAL_STS_REGION : regions[0]!);
  if (!endpoints.has(defaultRegion)) throw new Error(`alicloud: defaultStsRegion ${JSON.stringify(defaultRegion)} is not in stsEndpoints`);
  const timeoutMs = positive(options.timeoutMs ?? 5_000, 'timeoutMs');
  const maxResponseBytes = positive(options.maxResponseBytes ?? 64 * 1024, 'maxResponseBytes');
  const skewSeconds = positive(options.timestampSkewSeconds ?? 900, 'timestampSkewSeconds');

  return defineStrategy({
    id: 'alicloud',
    route: { method: 'POST', path: ALICLOUD_LOGIN_PATH },
    dialect: 'infisical',
    requestSchema: alicloudLoginSchema,
    responseSchema: tokenResponseSchema,
    configSchema: createAlicloudConfigSchema(regions),
    admin: alicloudAdminApi,
    openapi: {
      summary: 'Login with Alibaba Cloud Auth for machine identity',
      description: 'Login with Alibaba Cloud Auth for machine identity',
      tags: ['Alibaba Cloud Auth'],
      operationId: 'loginWithAlicloudAuth',
    },

    async authenticate(input, ctx) {
      // 1. Local, cheap, no network: the clock, the identity, the nonce.
      const timestamp = parseAlibabaTimestamp(input.Timestamp);
      if (!timestamp) {
        // Unreachable after schema validation; kept so the window check can never see an invalid date.
        const issue = { path: 'Timestamp', message: "must be a UTC time formatted as 'YYYY-MM-DDTHH:mm:ssZ'", code: 'custom' };
        throw new AuthError({ kind: 'validation', reasonCode: 'timestamp_malformed', fields: ['Timestamp'], issues: [issue] });
      }
      checkTimestampWindow(timestamp, ctx.clock.now(), skewSeconds);

      const { identity, method } = await ctx.identityMethod(input.identityId, { organizationSlug: input.organizationSlug });
      const config = method.config as AlicloudIdentityConfig;
      const endpoint = endpoints.get(config.stsRegion ?? defaultRegion);
      if (!endpoint) {
        // The identity names a region this server no longer allows (config changed since it was written).
        throw new AuthError({ kind: 'not_configured', reasonCode: 'sts_region_not_allowed', message: 'The STS region configured for this identity is not available' });
      }

      await claimNonce(ctx, input.AccessKeyId, input.SignatureNonce, timestamp, skewSeconds);

      // 2. STS verifies the signature and tells us who signed.
      const { identityId: _identityId, organizationSlug: _organizationSlug, ...signed } = input;
      const caller = await getCallerIdentity(ctx, { endpoint, params: signed, timeoutMs, maxResponseBytes });

      // 3. Is that principal allowed to be this identity?
      const matched = findAllowedArn(caller.parsedArn, config.allowedArns);
      if (!matched) {
        throw new AuthError({ kind: 'unauthenticated', reasonCode: 'arn_not_allowed', message: 'The Alibaba Cloud principal is not allowed to log in as this identity' });
      }

      return {
        kind: 'authenticated',
        subject: { type: 'identity', id: identity.id },
        token: method.token,
        audit: {
          arn: caller.arn,
          matchedArn: matched,
          accountId: caller.accountId,
          identityType: caller.identityType,
          principalId: caller.principalId,
          stsRequestId: caller.stsRequestId,
          temporaryCredentials: input.AccessKeyId.startsWith('STS.'),
        },
      };
    },
  });
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`alicloud: ${name} must be a positive number`);
  return n;
}
