import type { GatehouseResponse, HeaderValue } from '../contract/http.js';
import { dialects } from '../dialects/index.js';
import type { DialectName } from '../dialects/types.js';
import { AuthError } from '../errors/auth-error.js';
import { resolveClientIp, type TrustProxy } from '../pipeline/client-address.js';
import { newRequestId, toAuthError } from '../pipeline/pipeline.js';
import type { Logger } from '../runtime/logger.js';
import { TOKENS, type Gatehouse } from '../runtime/container.js';
import type { PipelineOptions } from '../pipeline/pipeline.js';
import type { Principal } from './principal.js';
import { localVerifier, type LocalVerifierOptions, type TokenVerifier } from './verifier.js';

export interface GuardOptions {
  verifier: TokenVerifier;
  /** How to find the client address behind proxies (checked against a token's trusted IPs). Default false. */
  trustProxy?: TrustProxy;
  /** Dialect of the refusal body. Default `infisical`. */
  dialect?: DialectName;
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm?: string;
  /** Where unexpected failures (a store down) are logged with their request id. */
  logger?: Logger;
}

export type GuardResult = { ok: true; principal: Principal; clientIp: string } | { ok: false; response: GatehouseResponse };

export interface Guard {
  check(headers: Record<string, HeaderValue>, socketAddress: string): Promise<GuardResult>;
}

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a token68. Anything else is no token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of an `Authorization` header, or undefined when absent or not a well-formed Bearer. */
export function bearerToken(header: HeaderValue): string | undefined {
  if (typeof header !== 'string' || header.length > 8200) return undefined;
  return BEARER.exec(header)?.[1];
}

/**
 * A resource-server guard: the framework-neutral half of every adapter's guard. Refusals are the
 * dialect's 401 (403 for a token used from an address it is not trusted from) with a `WWW-Authenticate:
 * Bearer` challenge (RFC 6750 §3), `error="invalid_token"` when a token was sent but did not verify.
 */
export function createGuard(options: GuardOptions): Guard {
  const dialect = dialects[options.dialect ?? 'infisical'];
  const trustProxy = options.trustProxy ?? false;
  const realm = options.realm === undefined ? '' : ` realm="${options.realm.replace(/["\\]/g, '')}"`;

  const refuse = (err: unknown, sentToken: boolean): GuardResult => {
    const error = toAuthError(err);
    const requestId = newRequestId();
    if (error.kind === 'internal' || error.kind === 'unavailable') {
      const cause = err instanceof AuthError ? error.cause : err;
      options.logger?.error({ reqId: requestId, reasonCode: error.reasonCode, err: cause instanceof Error ? { type: cause.name } : undefined }, 'guard failed');
    }
    const rendered = dialect.renderError(error, requestId);
    const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache', ...rendered.headers, 'x-request-id': requestId };
    if (rendered.status === 401) {
      headers['www-authenticate'] = sentToken ? `Bearer${realm}${realm ? ',' : ''} error="invalid_token"` : `Bearer${realm}`;
    }
    return { ok: false, response: { status: rendered.status, headers, cookies: [], body: rendered.body } };
  };

  return {
    async check(headers, socketAddress) {
      const token = bearerToken(headers.authorization);
      if (token === undefined) {
        const sent = headers.authorization !== undefined;
        return refuse(new AuthError({ kind: 'unauthenticated', reasonCode: sent ? 'token_malformed' : 'no_token', message: sent ? 'Invalid or expired token' : 'Authentication required' }), sent);
      }
      const clientIp = resolveClientIp(socketAddress, headers['x-forwarded-for'], trustProxy);
      try {
        return { ok: true, principal: await options.verifier.verify(token, { clientIp }), clientIp };
      } catch (err) {
        return refuse(err, true);
      }
    },
  };
}

export interface LocalGuardOptions extends Omit<GuardOptions, 'verifier' | 'trustProxy' | 'logger'> {
  /** See `LocalVerifierOptions.stateful`. Default `check`. */
  stateful?: LocalVerifierOptions['stateful'];
}

/** A guard verifying with the Gatehouse itself, with its `trustProxy`, logger and default dialect. */
export function localGuard(gatehouse: Gatehouse, options: LocalGuardOptions = {}): Guard {
  const pipeline = gatehouse.container.resolve<PipelineOptions>(TOKENS.PipelineOptions);
  return createGuard({
    verifier: localVerifier(gatehouse, { stateful: options.stateful }),
    trustProxy: pipeline.trustProxy,
    dialect: options.dialect ?? pipeline.defaultDialect,
    realm: options.realm,
    logger: gatehouse.logger,
  });
}

/** What an adapter's guard accepts: a Gatehouse (verify locally) or an explicit verifier. */
export type GuardSource = ({ gatehouse: Gatehouse } & LocalGuardOptions) | GuardOptions;

export function guardFrom(source: GuardSource): Guard {
  return 'gatehouse' in source ? localGuard(source.gatehouse, source) : createGuard(source);
}
