import { AuthError, StoreUnavailableError } from '@gatehouse-auth/core';

/** A database error we did not classify as an outage: carries the SQLSTATE and constraint name. */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  readonly code: string | undefined;
  readonly constraint: string | undefined;

  constructor(message: string, code: string | undefined, constraint: string | undefined, cause: unknown) {
    super(message, { cause });
    this.code = code;
    this.constraint = constraint;
  }
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENETDOWN',
]);

/**
 * SQLSTATEs that mean "the database is not answering right now": connection exceptions (class 08),
 * operator intervention (57P01..57P05: shutdown, crash, starting up), query_canceled (57014: our
 * statement_timeout), too_many_connections (53300), and cannot_connect_now.
 */
function isOutageSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57014' || code === '53300' || /^57P0[1-5]$/.test(code);
}

// Messages node-postgres and pg-pool use for failures that carry no code.
const OUTAGE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection terminated due to connection timeout',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
  'PGlite is closed',
];

export function isOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || isOutageSqlState(code))) return true;
  return OUTAGE_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * Classifies a driver error: outages become `StoreUnavailableError` (503), the rest `SqlError`.
 * The driver's error object is not kept as the cause: PGlite attaches the query parameters to it,
 * and those may be password hashes or ciphertexts that have no business in a log line.
 */
/**
 * SQLSTATEs for text the database cannot hold (22021 character_not_in_repertoire: U+0000; 22P05
 * untranslatable_character). The caller's input, not an outage: the pipeline refuses such characters before
 * any store is called, so reaching this is a second line of defence (input that came another way).
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

export function toStoreError(err: unknown): Error {
  if (err instanceof AuthError || err instanceof SqlError) return err;
  const e = (err ?? {}) as { message?: unknown; code?: unknown; constraint?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : 'database error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const cause = Object.assign(new Error(message), { name: typeof e.name === 'string' ? e.name : 'Error', code });
  if (err instanceof Error && err.stack) cause.stack = err.stack;
  if (isOutage(err)) return new StoreUnavailableError(cause);
  if (code !== undefined && UNSTORABLE_TEXT.has(code)) {
    return new AuthError({ kind: 'bad_request', reasonCode: 'unstorable_characters', message: 'The request contains characters that cannot be stored', cause });
  }
  return new SqlError(message, code, typeof e.constraint === 'string' ? e.constraint : undefined, cause);
}

export function isUniqueViolation(err: unknown, constraintSuffix?: string): err is SqlError {
  return (
    err instanceof SqlError &&
    err.code === UNIQUE_VIOLATION &&
    (constraintSuffix === undefined || (err.constraint ?? '').endsWith(constraintSuffix))
  );
}

export function isForeignKeyViolation(err: unknown): err is SqlError {
  return err instanceof SqlError && err.code === FOREIGN_KEY_VIOLATION;
}
