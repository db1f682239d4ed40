import type { AuthError, ErrorKind } from '../errors/auth-error.js';
import { STATUS_BY_KIND } from '../errors/http-status.js';
import type { Dialect } from './types.js';

/** ECE error codes by kind; a strategy may override with `publicCode`. */
const CODES: Record<ErrorKind, string> = {
  bad_request: 'root.bad_request',
  validation: 'root.invalid_json_request',
  unauthenticated: 'root.unauthenticated',
  forbidden: 'root.forbidden',
  not_found: 'root.resource_not_found',
  method_not_allowed: 'root.method_not_allowed',
  payload_too_large: 'root.request_too_large',
  unsupported_media_type: 'root.unsupported_media_type',
  rate_limited: 'root.too_many_requests',
  internal: 'root.unexpected_error',
  not_configured: 'authc.no_authentication_cluster',
  upstream_failed: 'authc.authentication_cluster_error',
  unavailable: 'root.service_unavailable',
};

/** ECE answers schema failures with 400, not 422. */
const statusFor = (kind: ErrorKind) => (kind === 'validation' ? 400 : STATUS_BY_KIND[kind]);

export const eceDialect: Dialect = {
  name: 'ece',
  renderError(error: AuthError) {
    const status = statusFor(error.kind);
    const code = error.publicCode ?? CODES[error.kind];
    const fields = error.fields ?? error.issues?.map((i) => i.path).filter((p) => p !== '');
    const entry: Record<string, unknown> = { code, message: error.message };
    if (fields && fields.length) entry.fields = [...new Set(fields)];
    const headers: Record<string, string> = { ...error.headers, 'x-cloud-error-codes': code };
    if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfter));
    return { status, headers, body: { errors: [entry] } };
  },
  renderToken(issued) {
    return { token: issued.token, session_expiration_time: formatEceTime(issued.expiresAt) };
  },
  errorSchema() {
    return {
      type: 'object',
      properties: {
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              fields: { type: 'array', items: { type: 'string' } },
            },
            required: ['code', 'message'],
          },
        },
      },
      required: ['errors'],
    };
  },
};

/** `2024-05-04T09:42:00+00:00`, the seed's format (offset, not `Z`). */
export function formatEceTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
