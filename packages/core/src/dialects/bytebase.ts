import type { AuthError, ErrorKind } from '../errors/auth-error.js';
import type { Dialect } from './types.js';

/** Connect (and gRPC) status names, with the HTTP status Connect maps each to. */
const CODES: Record<ErrorKind, [string, number]> = {
  bad_request: ['invalid_argument', 400],
  validation: ['invalid_argument', 400],
  unauthenticated: ['unauthenticated', 401],
  forbidden: ['permission_denied', 403],
  not_found: ['not_found', 404],
  method_not_allowed: ['unimplemented', 501],
  payload_too_large: ['resource_exhausted', 429],
  unsupported_media_type: ['invalid_argument', 400],
  rate_limited: ['resource_exhausted', 429],
  internal: ['internal', 500],
  not_configured: ['unimplemented', 501],
  upstream_failed: ['unavailable', 503],
  unavailable: ['unavailable', 503],
};

/** HTTP status for a Connect code, used when a strategy picks a code explicitly. */
export const CONNECT_HTTP_STATUS: Record<string, number> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

export const bytebaseDialect: Dialect = {
  name: 'bytebase',
  renderError(error: AuthError) {
    const [defaultCode, defaultStatus] = CODES[error.kind];
    const code = error.publicCode ?? defaultCode;
    const status = error.publicCode ? (CONNECT_HTTP_STATUS[code] ?? defaultStatus) : defaultStatus;
    const body: Record<string, unknown> = { code, message: error.message };
    const fields = error.fields ?? error.issues?.map((i) => i.path).filter((p) => p !== '');
    if (fields && fields.length) {
      body.details = [
        {
          type: 'google.rpc.BadRequest',
          debug: { fieldViolations: [...new Set(fields)].map((field) => ({ field })) },
        },
      ];
    }
    const headers: Record<string, string> = { ...error.headers };
    if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfter));
    return { status, headers, body };
  },
  renderToken(issued) {
    return { token: issued.token };
  },
  errorSchema() {
    return {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array' } },
      required: ['code', 'message'],
    };
  },
};
