/**
 * The one error type every layer throws. `message` and `fields` are public; `reasonCode` and `cause`
 * are internal (audit log only) and never rendered to a client.
 */
export const ERROR_KINDS = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'validation',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'upstream_failed',
  'unavailable',
  'not_configured',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ValidationIssue {
  /** Dotted path of the offending input, e.g. `login_state.path`. Empty for the whole body. */
  path: string;
  message: string;
  code: string;
}

export interface AuthErrorOptions {
  kind: ErrorKind;
  /** Public, human-readable, safe to show to anyone. Never include secrets or upstream echoes. */
  message?: string;
  /** Internal reason for the audit log, e.g. `arn_not_allowed`. Never sent to the client. */
  reasonCode?: string;
  /** Inputs that were wrong (public). */
  fields?: string[];
  /** Detailed validation issues (public). */
  issues?: ValidationIssue[];
  /** A dialect-specific public code overriding the dialect's default for the kind (e.g. `root.unauthenticated`). */
  publicCode?: string;
  /** Seconds, for rate_limited / unavailable: rendered as `retry-after`. */
  retryAfter?: number;
  /** Extra response headers (e.g. `allow` on 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

const DEFAULT_MESSAGES: Record<ErrorKind, string> = {
  bad_request: 'The request is invalid',
  unauthenticated: 'Authentication failed',
  forbidden: 'Access denied',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  validation: 'The request body failed validation',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be application/json',
  rate_limited: 'Too many requests',
  upstream_failed: 'The upstream service failed to answer',
  unavailable: 'The service is temporarily unavailable',
  not_configured: 'This authentication method is not configured',
  internal: 'Something went wrong',
};

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly kind: ErrorKind;
  readonly reasonCode: string;
  readonly fields: string[] | undefined;
  readonly issues: ValidationIssue[] | undefined;
  readonly publicCode: string | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(options: AuthErrorOptions) {
    super(options.message ?? DEFAULT_MESSAGES[options.kind], options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.reasonCode = options.reasonCode ?? options.kind;
    this.fields = options.fields;
    this.issues = options.issues;
    this.publicCode = options.publicCode;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers;
  }

  static isAuthError(value: unknown): value is AuthError {
    return value instanceof AuthError;
  }
}

/** Shorthands, so call sites read as the decision they make. */
export const authErrors = {
  badRequest: (reasonCode: string, message?: string, fields?: string[]) =>
    new AuthError({ kind: 'bad_request', reasonCode, message, fields }),
  unauthenticated: (reasonCode: string, message?: string) =>
    new AuthError({ kind: 'unauthenticated', reasonCode, message }),
  forbidden: (reasonCode: string, message?: string) => new AuthError({ kind: 'forbidden', reasonCode, message }),
  notFound: (reasonCode: string, message?: string) => new AuthError({ kind: 'not_found', reasonCode, message }),
  upstream: (reasonCode: string, cause?: unknown) =>
    new AuthError({ kind: 'upstream_failed', reasonCode, cause }),
  unavailable: (reasonCode: string, cause?: unknown) => new AuthError({ kind: 'unavailable', reasonCode, cause }),
  notConfigured: (reasonCode: string, message?: string) =>
    new AuthError({ kind: 'not_configured', reasonCode, message }),
  rateLimited: (reasonCode: string, retryAfter?: number) =>
    new AuthError({ kind: 'rate_limited', reasonCode, retryAfter }),
};

/**
 * True for failures that are not the caller's doing: the store or an upstream service did not answer
 * (`unavailable`, `upstream_failed`). Such an outcome is never counted as a failed attempt.
 */
export function isInfrastructureFailure(err: unknown): err is AuthError {
  return err instanceof AuthError && (err.kind === 'unavailable' || err.kind === 'upstream_failed');
}

/** Thrown by store implementations when the database cannot be reached; renders as 503. */
export class StoreUnavailableError extends AuthError {
  constructor(cause?: unknown) {
    super({ kind: 'unavailable', reasonCode: 'store_unavailable', cause });
  }
}
