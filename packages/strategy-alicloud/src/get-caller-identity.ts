/**
 * Forwards the caller's signed GetCallerIdentity parameters, unchanged, to the configured STS endpoint and
 * reads back who signed them. STS refusals become 401s with a reasonCode per STS `Code`; anything that is not
 * a clear answer (5xx, timeout, oversized, unparseable, no usable `Arn`) becomes a 502.
 *
 * STS's `Message` is never logged or returned: for `SignatureDoesNotMatch` it echoes the string-to-sign.
 */
import { AuthError, type StrategyContext } from '@gatehouse-auth/core';
import { z } from 'zod';
import { parseCallerArn, type ParsedArn } from './arn.js';
import { encodeQuery } from './percent-encode.js';

export interface CallerIdentity {
  arn: string;
  parsedArn: ParsedArn;
  accountId: string;
  identityType: string;
  principalId: string | undefined;
  userId: string | undefined;
  roleId: string | undefined;
  stsRequestId: string | undefined;
}

export interface GetCallerIdentityOptions {
  /** An origin from the operator's allow-list. */
  endpoint: string;
  /** Exactly the parameters the caller signed, `Signature` included. */
  params: Readonly<Record<string, string>>;
  timeoutMs: number;
  maxResponseBytes: number;
}

const STS_CODE = /^[A-Za-z0-9._-]{1,100}$/;
const shortString = z.string().max(1024);

const successSchema = z.object({
  Arn: z.string().max(2048),
  AccountId: z.string().regex(/^\d{1,32}$/),
  IdentityType: shortString,
  PrincipalId: shortString.optional(),
  UserId: shortString.optional(),
  RoleId: shortString.optional(),
  RequestId: shortString.optional(),
});

const errorSchema = z.object({ Code: z.string(), RequestId: shortString.optional() });

/** STS error codes → internal reason codes (audit only). Prefix entries end in `.`. */
const REASONS: [string, string][] = [
  ['SignatureDoesNotMatch', 'sts_signature_mismatch'],
  ['IncompleteSignature', 'sts_signature_mismatch'],
  ['InvalidAccessKeyId.NotFound', 'sts_access_key_not_found'],
  ['InvalidAccessKeyId.Inactive', 'sts_access_key_inactive'],
  ['InvalidAccessKeyId.', 'sts_access_key_invalid'],
  ['SignatureNonceUsed', 'sts_nonce_used'],
  ['InvalidTimeStamp.Expired', 'sts_timestamp_expired'],
  ['InvalidTimeStamp.', 'sts_timestamp_invalid'],
  ['InvalidSecurityToken.Expired', 'sts_security_token_expired'],
  ['InvalidSecurityToken.', 'sts_security_token_invalid'],
  ['MissingSecurityToken', 'sts_security_token_invalid'],
  ['MissingParameter', 'sts_invalid_request'],
  ['InvalidParameter', 'sts_invalid_request'],
  ['InvalidAction.', 'sts_invalid_request'],
  ['InvalidVersion', 'sts_invalid_request'],
  ['Forbidden', 'sts_forbidden'],
  ['NoPermission', 'sts_forbidden'],
];

export function reasonForStsCode(code: string): string {
  for (const [key, reason] of REASONS) {
    if (key.endsWith('.') ? code.startsWith(key) : code === key || code.startsWith(`${key}.`)) return reason;
  }
  return 'sts_rejected';
}

const UPSTREAM_REASONS: Record<string, string> = {
  upstream_timeout: 'sts_timeout',
  upstream_too_large: 'sts_response_too_large',
  upstream_network: 'sts_unreachable',
  upstream_host_not_allowed: 'sts_endpoint_not_allowed',
  upstream_garbage: 'sts_garbage',
};

function upstream(reasonCode: string): AuthError {
  return new AuthError({ kind: 'upstream_failed', reasonCode, message: 'Alibaba Cloud STS did not give a usable answer' });
}

export async function getCallerIdentity(ctx: StrategyContext, options: GetCallerIdentityOptions): Promise<CallerIdentity> {
  const url = `${options.endpoint}/?${encodeQuery(options.params)}`;
  let res;
  try {
    res = await ctx.http.request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      signal: ctx.request.signal,
    });
  } catch (err) {
    // Re-thrown without the cause: transport errors can carry the URL, and the URL carries the signature.
    const reason = err instanceof AuthError ? (UPSTREAM_REASONS[err.reasonCode] ?? 'sts_unreachable') : 'sts_unreachable';
    ctx.logger.warn({ reasonCode: reason, endpoint: options.endpoint }, 'alicloud: STS call failed');
    throw upstream(reason);
  }

  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    body = undefined;
  }

  // One schema pass per answer: the error shape only for a 4xx.
  const stsError = res.status >= 400 && res.status < 500 ? errorSchema.safeParse(body) : undefined;
  if (stsError?.success && STS_CODE.test(stsError.data.Code)) {
    const code = stsError.data.Code;
    const reasonCode = reasonForStsCode(code);
    ctx.logger.warn({ stsStatus: res.status, stsCode: code, stsRequestId: stsError.data.RequestId, reasonCode }, 'alicloud: STS refused the signed request');
    if (/^Throttling/.test(code)) throw upstream('sts_throttled');
    throw new AuthError({ kind: 'unauthenticated', reasonCode, message: `Alibaba Cloud STS rejected the signed request (${code})` });
  }
  if (res.status !== 200) {
    ctx.logger.warn({ stsStatus: res.status }, 'alicloud: STS answered with an unexpected status');
    throw upstream(res.status >= 500 ? 'sts_server_error' : 'sts_unexpected_status');
  }
  if (body === undefined) throw upstream('sts_garbage');
  const ok = successSchema.safeParse(body);
  if (!ok.success) throw upstream('sts_response_invalid');
  const parsedArn = parseCallerArn(ok.data.Arn);
  // The account in the ARN and STS's AccountId must agree; otherwise the answer cannot be trusted.
  if (!parsedArn || parsedArn.accountId !== ok.data.AccountId) throw upstream('sts_response_invalid');
  return {
    arn: ok.data.Arn,
    parsedArn,
    accountId: ok.data.AccountId,
    identityType: ok.data.IdentityType,
    principalId: ok.data.PrincipalId,
    userId: ok.data.UserId,
    roleId: ok.data.RoleId,
    stsRequestId: ok.data.RequestId,
  };
}
