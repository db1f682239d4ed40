/**
 * What each error class must look like in each dialect, written out by hand (not computed from the
 * dialects), so a regression in rendering or in an adapter shows up as a difference here.
 */
import type { DialectName } from '@gatehouse-auth/core';
import { STRATEGY_MESSAGES } from './adapter-strategies.js';

export const ERROR_CASES = [
  'malformed_json', 'unauthenticated', 'forbidden', 'not_found', 'too_large', 'unsupported_media_type',
  'rate_limited', 'internal', 'upstream', 'unavailable',
] as const;
export type ErrorCase = (typeof ERROR_CASES)[number];

export interface ExpectedError {
  status: number;
  /** infisical: `error`; ece: `errors[0].code` (and `x-cloud-error-codes`); bytebase: `code`. */
  code: string;
  message: string;
}

const MESSAGES: Record<ErrorCase, string> = {
  malformed_json: 'The request body is not valid JSON',
  unauthenticated: STRATEGY_MESSAGES.unauthenticated,
  forbidden: STRATEGY_MESSAGES.forbidden,
  not_found: STRATEGY_MESSAGES.not_found,
  too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be application/json',
  rate_limited: 'Too many requests',
  internal: 'Something went wrong',
  upstream: 'The upstream service failed to answer',
  unavailable: 'The service is temporarily unavailable',
};

const TABLE: Record<ErrorCase, Record<DialectName, [number, string]>> = {
  malformed_json: { infisical: [400, 'BadRequest'], ece: [400, 'root.bad_request'], bytebase: [400, 'invalid_argument'] },
  unauthenticated: { infisical: [401, 'UnauthorizedError'], ece: [401, 'root.unauthenticated'], bytebase: [401, 'unauthenticated'] },
  forbidden: { infisical: [403, 'PermissionDenied'], ece: [403, 'root.forbidden'], bytebase: [403, 'permission_denied'] },
  not_found: { infisical: [404, 'NotFound'], ece: [404, 'root.resource_not_found'], bytebase: [404, 'not_found'] },
  too_large: { infisical: [413, 'PayloadTooLarge'], ece: [413, 'root.request_too_large'], bytebase: [429, 'resource_exhausted'] },
  unsupported_media_type: { infisical: [415, 'UnsupportedMediaType'], ece: [415, 'root.unsupported_media_type'], bytebase: [400, 'invalid_argument'] },
  rate_limited: { infisical: [429, 'RateLimitExceeded'], ece: [429, 'root.too_many_requests'], bytebase: [429, 'resource_exhausted'] },
  internal: { infisical: [500, 'InternalServerError'], ece: [500, 'root.unexpected_error'], bytebase: [500, 'internal'] },
  upstream: { infisical: [502, 'BadGateway'], ece: [502, 'authc.authentication_cluster_error'], bytebase: [503, 'unavailable'] },
  unavailable: { infisical: [503, 'ServiceUnavailable'], ece: [503, 'root.service_unavailable'], bytebase: [503, 'unavailable'] },
};

export function expectedError(errorCase: ErrorCase, dialect: DialectName): ExpectedError {
  const [status, code] = TABLE[errorCase][dialect];
  return { status, code, message: MESSAGES[errorCase] };
}

/** The exact error body of a dialect (`reqId` is the response's `x-request-id`). */
export function errorBody(dialect: DialectName, expected: ExpectedError, requestId: string): unknown {
  switch (dialect) {
    case 'infisical':
      return { reqId: requestId, statusCode: expected.status, message: expected.message, error: expected.code };
    case 'ece':
      return { errors: [{ code: expected.code, message: expected.message }] };
    case 'bytebase':
      return { code: expected.code, message: expected.message };
  }
}
