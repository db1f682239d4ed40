/**
 * What a strategy gets for one request: `RequestInfo` and `StrategyContext`, as classes. They were object literals
 * with getters and per-request closures; V8 allocated that literal's whole graph straight into the old generation
 * (the sampling heap profiler showed ~1.3 KB per login surviving young-generation collections), which made every
 * login feed the major GC. Plain constructors allocate young, like everything else a request makes.
 *
 * The context's methods stay usable detached (`const { identityMethod } = ctx`): they are own arrow-function
 * properties, as the literal's were.
 */
import { parse as parseCookies } from 'cookie';
import type { GatehouseRequest } from '../contract/http.js';
import type { RequestInfo, StrategyContext } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import type { OutboundHttp } from '../http/outbound.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { Stores } from '../stores/ports.js';
import type { TokenIssuer } from '../tokens/issuer.js';
import { authorizationToken, presentationOf, type PresentationOptions } from '../binding/presentation.js';

/** `RequestInfo`: cookies are parsed, and the abort signal read from the adapter, when a strategy first asks. */
export class RequestFacts implements RequestInfo {
  requestId: string;
  method: string;
  path: string;
  headers: GatehouseRequest['headers'];
  query: NonNullable<GatehouseRequest['query']>;
  params: Record<string, string>;
  clientIp: string;
  socketAddress: string;
  protocol: 'http' | 'https';
  peerCertificates: Uint8Array[];
  readonly #req: GatehouseRequest;
  #cookies: Record<string, string> | undefined;

  constructor(req: GatehouseRequest, requestId: string, params: Record<string, string>, clientIp: string, protocol: 'http' | 'https') {
    this.requestId = requestId;
    this.method = req.method.toUpperCase();
    this.path = req.path;
    this.headers = req.headers;
    this.query = req.query ?? {};
    this.params = params;
    this.clientIp = clientIp;
    this.socketAddress = req.socketAddress;
    this.protocol = protocol;
    this.peerCertificates = req.peerCertificates ?? [];
    this.#req = req;
    this.#cookies = undefined;
  }

  get cookies(): Record<string, string> {
    if (!this.#cookies) {
      const header = this.#req.headers.cookie;
      const raw = Array.isArray(header) ? header.join('; ') : (header ?? '');
      this.#cookies = Object.fromEntries(
        Object.entries(raw.length > 16_384 ? {} : parseCookies(raw)).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    }
    return this.#cookies;
  }

  /** Read when a strategy asks: an adapter may create the signal only then (most logins never need it). */
  get signal(): AbortSignal | undefined {
    return this.#req.signal;
  }
}

export interface ContextDeps {
  stores: Stores;
  issuer: TokenIssuer;
  clock: Clock;
  http: OutboundHttp;
  logger: Logger;
  presentationOptions: PresentationOptions;
}

export class PipelineContext implements StrategyContext {
  request: RequestFacts;
  clock: Clock;
  stores: Stores;
  http: OutboundHttp;
  logger: Logger;
  issuer: TokenIssuer;
  identityMethod: StrategyContext['identityMethod'];
  requirePrincipal: StrategyContext['requirePrincipal'];
  presentation: StrategyContext['presentation'];

  constructor(req: GatehouseRequest, request: RequestFacts, methodName: string, deps: ContextDeps) {
    const { stores, issuer } = deps;
    this.request = request;
    this.clock = deps.clock;
    this.stores = stores;
    this.http = deps.http;
    this.logger = deps.logger;
    this.issuer = issuer;
    this.identityMethod = async (identityId, opts) => {
      // One round trip where the store offers it (a login's only reads, on PostgreSQL).
      const both = stores.identities.getWithMethod
        ? await stores.identities.getWithMethod(identityId, methodName)
        : await getIdentityThenMethod(stores, identityId, methodName);
      const identity = both?.identity;
      if (!identity) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_not_found', message: 'Identity not found' });
      const method = both.method;
      if (!method) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_method_not_found', message: 'Identity not found' });
      if (opts?.organizationSlug !== undefined && identity.organizationSlug && identity.organizationSlug !== opts.organizationSlug) {
        throw new AuthError({ kind: 'forbidden', reasonCode: 'organization_mismatch', message: 'Identity does not belong to this organization' });
      }
      return { identity, method };
    };
    const presentation = (scheme: Parameters<StrategyContext['presentation']>[0]) => presentationOf(req, scheme, deps.presentationOptions);
    this.presentation = presentation;
    this.requirePrincipal = async (opts) => {
      const sent = authorizationToken(req.headers.authorization);
      const cookie = sent ? undefined : request.cookies['access-token'];
      const token = sent?.token ?? cookie;
      if (!token) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'no_token', message: 'Authentication required' });
      return issuer.verify(token, { clientIp: request.clientIp, stateful: opts?.consume === false ? 'check' : 'consume', presentation: presentation(sent?.scheme ?? 'cookie') });
    };
  }
}

async function getIdentityThenMethod(stores: Stores, identityId: string, method: string) {
  const identity = await stores.identities.get(identityId);
  return identity ? { identity, method: await stores.identities.getMethod(identityId, method) } : null;
}
