/**
 * The authentication backend port: who checks a username and password. The user store is the default
 * (`userStoreBackend`); an LDAP or other directory plugs in by implementing `authenticate`.
 */
import { AuthError, type StrategyContext } from '@gatehouse-auth/core';

/** What a backend may use. `signal` aborts when the strategy's timeout fires or the client goes away. */
export interface AuthenticationContext extends Pick<StrategyContext, 'clock' | 'stores' | 'http' | 'logger'> {
  signal: AbortSignal;
  requestId: string;
  clientIp: string;
}

/** A successful check. `claims` go into the token: keep them small and public (never secrets). */
export interface AuthenticatedUser {
  /** Becomes the token's `sub` (with `sub_type: user`). */
  userId: string;
  claims?: Record<string, unknown>;
  /** Safe detail for the audit event of the login. */
  audit?: Record<string, unknown>;
}

export interface AuthenticationBackend {
  /** Shown in audit events and logs, e.g. `user-store`, `ldap`. */
  readonly name: string;
  /**
   * Checks the credentials. `username` is already normalised (NFKC, trimmed, lower case).
   * Return null for bad credentials, unknown users and disabled accounts alike (one 401 for all);
   * throw only when the backend itself failed (→ 502 `authc.authentication_cluster_error`). A
   * `StoreUnavailableError` from `ctx.stores` is Gatehouse's own outage and stays a 503 (`root.service_unavailable`).
   */
  authenticate(username: string, password: string, ctx: AuthenticationContext): Promise<AuthenticatedUser | null>;
}

const CLUSTER_ERROR = 'authc.authentication_cluster_error';
const MAX_USER_ID_LENGTH = 256;

class BackendTimeout extends Error {
  override readonly name = 'BackendTimeout';
}

/**
 * Calls the backend with a timeout and maps its failures to 502, except Gatehouse's own store outage
 * (an `unavailable` AuthError, e.g. `StoreUnavailableError`), which stays the dialect's 503 like on every other
 * route. The backend's error is kept as the cause for the log, with the password scrubbed from its message and stack.
 */
export async function callBackend(
  backend: AuthenticationBackend,
  username: string,
  password: string,
  ctx: StrategyContext,
  timeoutMs: number,
): Promise<AuthenticatedUser | null> {
  const controller = new AbortController();
  const parent = ctx.request.signal;
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new BackendTimeout(`backend ${backend.name} timed out after ${timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const backendCtx: AuthenticationContext = {
    clock: ctx.clock,
    stores: ctx.stores,
    http: ctx.http,
    logger: ctx.logger,
    signal: controller.signal,
    requestId: ctx.request.requestId,
    clientIp: ctx.request.clientIp,
  };
  let result: unknown;
  try {
    result = await Promise.race([Promise.resolve().then(() => backend.authenticate(username, password, backendCtx)), timeout]);
  } catch (err) {
    if (err instanceof AuthError && err.kind === 'unavailable') throw err;
    const timedOut = err instanceof BackendTimeout;
    throw new AuthError({
      kind: 'upstream_failed',
      reasonCode: timedOut ? 'backend_timeout' : 'backend_error',
      publicCode: CLUSTER_ERROR,
      message: timedOut ? 'The authentication cluster did not answer in time' : 'The authentication cluster failed to process the request',
      cause: scrubError(err, password),
    });
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
  if (result === null) return null;
  if (!isAuthenticatedUser(result)) {
    throw new AuthError({
      kind: 'upstream_failed',
      reasonCode: 'backend_bad_result',
      publicCode: CLUSTER_ERROR,
      message: 'The authentication cluster failed to process the request',
    });
  }
  return result;
}

function isAuthenticatedUser(value: unknown): value is AuthenticatedUser {
  if (typeof value !== 'object' || value === null) return false;
  const { userId, claims, audit } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) return false;
  const plainObject = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
  return plainObject(claims) && plainObject(audit);
}

/**
 * A copy of the error fit for logs: same name, message and stack with every occurrence of the password
 * removed (a directory client may echo what it was given; the core's logger may not drop messages).
 */
export function scrubError(err: unknown, password: string): Error {
  const source = err instanceof Error ? err : new Error(`non-Error thrown: ${typeof err}`);
  const clean = (s: string) => (password.length > 0 ? s.split(password).join('[redacted]') : s);
  const copy = new Error(clean(source.message));
  copy.name = source.name;
  copy.stack = source.stack === undefined ? undefined : clean(source.stack);
  return copy;
}
