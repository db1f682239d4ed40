// Every way a client-certificate login can be refused, each with its own reasonCode (audit log only; the
// client sees the dialect's status and a short public message that does not say which check failed).
import { AuthError, type ErrorKind } from '@gatehouse-auth/core';

export const REFUSALS = {
  // What was presented
  no_certificate: 'unauthenticated',
  malformed_certificate: 'bad_request',
  certificate_too_large: 'bad_request',
  chain_too_long: 'bad_request',
  // Trust path
  unknown_ca: 'unauthenticated',
  signature_invalid: 'unauthenticated',
  path_search_exhausted: 'unauthenticated',
  path_too_long: 'unauthenticated',
  certificate_expired: 'unauthenticated',
  certificate_not_yet_valid: 'unauthenticated',
  intermediate_expired: 'unauthenticated',
  intermediate_not_yet_valid: 'unauthenticated',
  ca_expired: 'unauthenticated',
  ca_not_yet_valid: 'unauthenticated',
  issuer_not_ca: 'unauthenticated',
  issuer_missing_key_cert_sign: 'unauthenticated',
  path_len_exceeded: 'unauthenticated',
  name_not_permitted: 'unauthenticated',
  name_excluded: 'unauthenticated',
  name_constraints_unsupported: 'unauthenticated',
  name_constraints_too_complex: 'unauthenticated',
  unsupported_critical_extension: 'unauthenticated',
  certificate_revoked: 'unauthenticated',
  intermediate_revoked: 'unauthenticated',
  crl_expired: 'unauthenticated',
  // OCSP (refused when the identity fails closed; admitted with an audit warning when it fails open)
  ocsp_no_responder: 'unauthenticated',
  ocsp_responder_not_allowed: 'unauthenticated',
  ocsp_timeout: 'unauthenticated',
  ocsp_unavailable: 'unauthenticated',
  ocsp_http_error: 'unauthenticated',
  ocsp_response_too_large: 'unauthenticated',
  ocsp_malformed_response: 'unauthenticated',
  ocsp_error_response: 'unauthenticated',
  ocsp_signature_invalid: 'unauthenticated',
  ocsp_responder_unauthorized: 'unauthenticated',
  ocsp_response_mismatch: 'unauthenticated',
  ocsp_unknown: 'unauthenticated',
  ocsp_stale: 'unauthenticated',
  ocsp_response_not_yet_valid: 'unauthenticated',
  ocsp_nonce_mismatch: 'unauthenticated',
  // The leaf itself
  ca_as_leaf: 'unauthenticated',
  missing_client_auth_eku: 'unauthenticated',
  // This identity's allow-lists
  cn_not_allowed: 'forbidden',
  san_not_allowed: 'forbidden',
} as const satisfies Record<string, ErrorKind>;

export type RefusalReason = keyof typeof REFUSALS;

const MESSAGES: Partial<Record<ErrorKind, string>> = {
  unauthenticated: 'The client certificate was not accepted',
  bad_request: 'The client certificate could not be read',
  forbidden: 'The client certificate is not allowed for this identity',
};

export function refusal(reason: RefusalReason): AuthError {
  const kind = REFUSALS[reason];
  const message = reason === 'no_certificate' ? 'A client certificate is required' : MESSAGES[kind];
  return new AuthError({ kind, reasonCode: reason, message });
}
