import type { AuthError } from '../errors/auth-error.js';
import { STATUS_BY_KIND } from '../errors/http-status.js';
import type { Dialect } from './types.js';

/** Infisical's `error` names, as its API returns them (seeds 000–002). */
const ERROR_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'UnauthorizedError',
  403: 'PermissionDenied',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'ValidationFailure',
  429: 'RateLimitExceeded',
  500: 'InternalServerError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

export const infisicalDialect: Dialect = {
  name: 'infisical',
  renderError(error: AuthError, requestId: string) {
    const status = STATUS_BY_KIND[error.kind];
    const headers: Record<string, string> = { ...error.headers };
    if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfter));
    // 422 carries the issue list as `message`, exactly as Infisical's zod handler does.
    const message =
      status === 422
        ? (error.issues ?? []).map((i) => ({ path: i.path, message: i.message, code: i.code }))
        : error.message;
    const body: Record<string, unknown> = {
      reqId: requestId,
      statusCode: status,
      message,
      error: error.publicCode ?? ERROR_NAMES[status] ?? 'Error',
    };
    if (status === 400 && error.fields?.length) body.details = { fields: error.fields };
    return { status, headers, body };
  },
  renderToken(issued) {
    return {
      accessToken: issued.token,
      expiresIn: issued.expiresIn,
      accessTokenMaxTTL: issued.accessTokenMaxTTL,
      // The seed's `Bearer`, except for a client that sent a DPoP proof (docs/decisions/0009).
      tokenType: issued.tokenType,
    };
  },
  errorSchema(status) {
    return {
      type: 'object',
      properties: {
        reqId: { type: 'string' },
        statusCode: { type: 'number', enum: [status] },
        message: status === 422 ? {} : { type: 'string' },
        error: { type: 'string' },
        ...(status === 400 || status === 403 ? { details: {} } : {}),
      },
      required: status === 422 ? ['reqId', 'statusCode', 'error'] : ['reqId', 'statusCode', 'message', 'error'],
      additionalProperties: false,
    };
  },
};
