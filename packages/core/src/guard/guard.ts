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
import { authorizationToken, presentationOf, type PresentationOptions } from '../binding/presentation.js';
import { parsePublicUrls } from '../binding/request-urls.js';

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
  /**
   * Where this resource server learns what bound tokens are checked against: its public base URLs (a DPoP
   * proof's `htu`; unset: rebuilt from the request, see `requestUrls`) and the header a trusted proxy puts
   * the client certificate in (certificate-bound tokens).
   */
  binding?: { publicUrls?: string[]; clientCertificateHeader?: string; clientCertificateProxies?: string[] };
}

/** The request facts a guard needs besides the headers, for bound tokens (DPoP `htm`/`htu`, the TLS client certificate). */
export interface GuardRequest {
  method: string;
  /** The path as received (Express `originalUrl`, Fastify `url`, Koa `originalUrl`); a query string is ignored. */
  url: string;
  protocol: 'http' | 'https';
  /** DER certificates of the TLS peer, leaf first. */
  peerCertificates?: Uint8Array[];
}

export type GuardResult = { ok: true; principal: Principal; clientIp: string } | { ok: false; response: GatehouseResponse };

export interface Guard {
  /**
   * `request` carries what bound tokens are checked against; without it a DPoP- or certificate-bound token
   * is refused (its binding cannot be checked), unbound tokens work as before.
   */
  check(headers: Record<string, HeaderValue>, socketAddress: string, request?: GuardRequest): Promise<GuardResult>;
}

/** The bearer token of an `Authorization: Bearer` header, or undefined when absent or not a well-formed Bearer. */
export function bearerToken(header: HeaderValue): string | undefined {
  const sent = authorizationToken(header);
  return sent?.scheme === 'Bearer' ? sent.token : undefined;
}

/** `Bearer error="…"` → `Bearer realm="x", error="…"`. */
function withRealm(challenge: string, realm: string): string {
  if (!realm) return challenge;
  const space = challenge.indexOf(' ');
  return space === -1 ? `${challenge}${realm}` : `${challenge.slice(0, space)}${realm},${challenge.slice(space)}`;
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
      // A binding refusal names its own challenge (DPoP error="invalid_dpop_proof", RFC 9449 §7.1).
      const own = rendered.headers['www-authenticate'];
      headers['www-authenticate'] = own ? withRealm(own, realm) : sentToken ? `Bearer${realm}${realm ? ',' : ''} error="invalid_token"` : `Bearer${realm}`;
    }
    return { ok: false, response: { status: rendered.status, headers, cookies: [], body: rendered.body } };
  };

  const presentationOptions: PresentationOptions = {
    trustProxy,
    publicUrls: parsePublicUrls(options.binding?.publicUrls),
    clientCertificateHeader: options.binding?.clientCertificateHeader?.toLowerCase(),
    clientCertificateProxies: options.binding?.clientCertificateProxies ?? [],
  };
  if (presentationOptions.clientCertificateHeader !== undefined && !presentationOptions.clientCertificateProxies.length) {
    throw new Error('binding.clientCertificateHeader needs clientCertificateProxies: a header from anyone is a forged certificate');
  }

  return {
    async check(headers, socketAddress, request) {
      const sent = authorizationToken(headers.authorization);
      if (sent === undefined) {
        const malformed = headers.authorization !== undefined;
        return refuse(new AuthError({ kind: 'unauthenticated', reasonCode: malformed ? 'token_malformed' : 'no_token', message: malformed ? 'Invalid or expired token' : 'Authentication required' }), malformed);
      }
      const clientIp = resolveClientIp(socketAddress, headers['x-forwarded-for'], trustProxy);
      const presentation = request
        ? presentationOf(
            { method: request.method, path: pathWithoutQuery(request.url), headers, socketAddress, protocol: request.protocol, peerCertificates: request.peerCertificates },
            sent.scheme,
            presentationOptions,
          )
        : undefined;
      try {
        return { ok: true, principal: await options.verifier.verify(sent.token, { clientIp, presentation }), clientIp };
      } catch (err) {
        return refuse(err, true);
      }
    },
  };
}

function pathWithoutQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export interface LocalGuardOptions extends Omit<GuardOptions, 'verifier' | 'trustProxy' | 'logger' | 'binding'> {
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
    binding: { publicUrls: pipeline.publicUrls ? [...pipeline.publicUrls] : undefined, clientCertificateHeader: pipeline.clientCertificateHeader, clientCertificateProxies: pipeline.clientCertificateProxies },
  });
}

/** What an adapter's guard accepts: a Gatehouse (verify locally) or an explicit verifier. */
export type GuardSource = ({ gatehouse: Gatehouse } & LocalGuardOptions) | GuardOptions;

export function guardFrom(source: GuardSource): Guard {
  return 'gatehouse' in source ? localGuard(source.gatehouse, source) : createGuard(source);
}
