import { describe, expect, it } from 'vitest';
import { reasonForStsCode } from './get-caller-identity.js';

describe('STS error code → reasonCode', () => {
  it.each([
    ['SignatureDoesNotMatch', 'sts_signature_mismatch'],
    ['InvalidAccessKeyId.NotFound', 'sts_access_key_not_found'],
    ['InvalidAccessKeyId.Inactive', 'sts_access_key_inactive'],
    ['InvalidAccessKeyId.Other', 'sts_access_key_invalid'],
    ['SignatureNonceUsed', 'sts_nonce_used'],
    ['InvalidTimeStamp.Expired', 'sts_timestamp_expired'],
    ['InvalidTimeStamp.Format', 'sts_timestamp_invalid'],
    ['InvalidSecurityToken.Expired', 'sts_security_token_expired'],
    ['InvalidSecurityToken.MismatchWithAccessKey', 'sts_security_token_invalid'],
    ['MissingSecurityToken', 'sts_security_token_invalid'],
    ['MissingParameter', 'sts_invalid_request'],
    ['InvalidParameter', 'sts_invalid_request'],
    ['InvalidAction.NotFound', 'sts_invalid_request'],
    ['InvalidVersion', 'sts_invalid_request'],
    ['Forbidden.RAM', 'sts_forbidden'],
    ['SignatureDoesNotMatchX', 'sts_rejected'],
    ['SomethingNew', 'sts_rejected'],
  ])('%s → %s', (code, reason) => expect(reasonForStsCode(code)).toBe(reason));
});
