/**
 * Turns what openid-client throws into Gatehouse errors. Every refusal of the ID token, the code or the
 * userinfo answer is the caller's problem (401, each with its own reasonCode for the audit log); an IdP that
 * cannot be reached, is misconfigured or answers nonsense is ours (503 `unavailable` in the bytebase dialect).
 * No IdP message is ever shown to the client.
 */
import { AuthError } from '@gatehouse-auth/core';
import { AuthorizationResponseError, ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';

const unauthenticated = (reasonCode: string, cause: unknown) =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message: 'The identity provider login could not be verified', cause });

const upstream = (reasonCode: string, cause: unknown) => new AuthError({ kind: 'upstream_failed', reasonCode, cause });

/** Our own AuthError (fence, timeout, size cap) travels inside openid-client's wrappers as a cause. */
function ownError(err: unknown): AuthError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof AuthError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function claimOf(err: ClientError): string | undefined {
  const detail = (err.cause as { cause?: { claim?: unknown } } | undefined)?.cause;
  return typeof detail?.claim === 'string' ? detail.claim.replace(/[^a-z_]/gi, '').slice(0, 16) : undefined;
}

export function idpError(err: unknown): AuthError {
  const own = ownError(err);
  if (own) return own;
  if (err instanceof ResponseBodyError) {
    // An OAuth error answer from the token or userinfo endpoint.
    if (err.error === 'invalid_grant') return unauthenticated('idp_code_rejected', err);
    if (err.error === 'invalid_client' || err.error === 'unauthorized_client') return upstream('idp_client_rejected', err);
    return err.status >= 500 ? upstream('idp_server_error', err) : unauthenticated('idp_token_error', err);
  }
  if (err instanceof AuthorizationResponseError) return unauthenticated('idp_authorization_error', err);
  if (err instanceof WWWAuthenticateChallengeError) return unauthenticated('idp_access_token_rejected', err);
  if (err instanceof ClientError) {
    switch (err.code) {
      case 'OAUTH_UNSUPPORTED_OPERATION':
        // An ID token using what we do not support (JWE, `crit` extensions): refused, not an outage.
        return unauthenticated('id_token_unsupported', err);
      case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
        return unauthenticated(`id_token_${claimOf(err) ?? 'claim'}_mismatch`, err);
      case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
        return unauthenticated(claimOf(err) === 'exp' ? 'id_token_expired' : `id_token_${claimOf(err) ?? 'timestamp'}_invalid`, err);
      case 'OAUTH_KEY_SELECTION_FAILED':
        return unauthenticated('id_token_key_not_found', err);
      case 'OAUTH_INVALID_RESPONSE': {
        // Outside our allow-list (`none`, HMAC, or anything the IdP config does not accept).
        const inner = (err.cause as Error | undefined)?.message ?? '';
        if (inner.includes('"alg" header parameter')) return unauthenticated('id_token_alg_not_allowed', err);
        if (inner.includes('signature verification failed')) return unauthenticated('id_token_signature_invalid', err);
        return unauthenticated('idp_response_invalid', err);
      }
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        // e.g. a discovery document whose issuer is not the configured one.
        return upstream('idp_metadata_mismatch', err);
      case 'OAUTH_TIMEOUT':
      case 'OAUTH_ABORT':
        return upstream('upstream_timeout', err);
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      case 'OAUTH_RESPONSE_IS_NOT_JSON':
      case 'OAUTH_PARSE_ERROR':
        return upstream('upstream_garbage', err);
      case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
      case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
        return upstream('idp_insecure_endpoint', err);
      default:
        return upstream('idp_unexpected', err);
    }
  }
  return upstream('idp_unexpected', err);
}
