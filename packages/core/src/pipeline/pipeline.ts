import type { GatehouseRequest, GatehouseResponse } from '../contract/http.js';
import type { EndpointDefinition, Outcome, Reply, Strategy, StrategyContext, Subject } from '../contract/strategy.js';
import { dialects } from '../dialects/index.js';
import type { Dialect, DialectName } from '../dialects/types.js';
import { AuthError } from '../errors/auth-error.js';
import type { OutboundHttp } from '../http/outbound.js';
import type { AuditActor, AuditEvent, AuditSink } from '../runtime/audit.js';
import type { Clock } from '../runtime/clock.js';
import { childLogger, discardsInfo, type Logger } from '../runtime/logger.js';
import type { Stores } from '../stores/ports.js';
import type { TokenIssuer } from '../tokens/issuer.js';
import { resolveClientIp, resolveProtocol, throttleKeyOf, type TrustProxy } from './client-address.js';
import { randomId } from '../runtime/random-id.js';
import { assignOwn } from '../runtime/assign.js';
import { assertStorableInput, findUnstorableString, parseWith } from './validation.js';
import { RouteTable } from './route-table.js';
import { instrumentHttp } from '../telemetry/instrument.js';
import { SpanStatusCode, type LoginOutcome, type Telemetry } from '../telemetry/telemetry.js';
import type { Span } from '@opentelemetry/api';
import type { Confirmation, TokenBinding } from '../binding/token-binding.js';
import type { PresentationOptions } from '../binding/presentation.js';
import { PipelineContext, RequestFacts } from './context.js';
import { certificateThumbprint } from '../dpop/thumbprints.js';

export interface RateLimitRule {
  /** Requests allowed per window per client address (IPv6: per /64) and route. */
  max: number;
  windowMs: number;
  /** `login` (the strategies' login routes only) or `all` (every route, token routes and JWKS too). Default `all`. */
  routes?: 'login' | 'all';
}

export interface PipelineOptions {
  trustProxy: TrustProxy;
  /** Dialect for routes that match nothing. */
  defaultDialect: DialectName;
  /** Per-IP limit on every login/endpoint route; off when undefined. */
  rateLimit?: RateLimitRule;
  /** Extra limiter hook (runs after schema validation, before the strategy). */
  limiter?: (endpointId: string, ctx: StrategyContext) => Promise<void>;
  /** Base URLs clients reach this server at (normalised): what DPoP proofs' `htu` is compared with. */
  publicUrls?: readonly string[];
  /** Header a trusted proxy puts the client certificate chain in (for certificate-bound tokens), and those proxies. */
  clientCertificateHeader?: string;
  clientCertificateProxies?: string[];
}

/** A route the pipeline serves: a strategy's login route or an extra endpoint. */
export interface RegisteredRoute {
  endpoint: EndpointDefinition<unknown>;
  /** Set for login routes: the token is issued on `authenticated`. */
  strategy?: Strategy<unknown, unknown>;
  dialect: Dialect;
  /** The outbound client as this route's strategy sees it (its calls counted under its id). */
  http?: OutboundHttp;
}

interface Deps {
  stores: Stores;
  issuer: TokenIssuer;
  clock: Clock;
  logger: Logger;
  http: OutboundHttp;
  audit?: AuditSink;
  telemetry: Telemetry;
  binding: TokenBinding;
}

/** Refusals that are a lockout (counted as `gatehouse.lockouts`), not a rate limit. */
const LOCKOUT_REASONS = new Set(['account_locked', 'mfa_user_locked']);

/** `req-` + 16 random bytes: unguessable, so request ids can't be used to probe logs. */
export const newRequestId = () => `req-${randomId(12)}`;

/**
 * `{ 'cache-control': 'no-store', pragma: 'no-cache', ...headers, 'x-request-id': requestId }`, built by assignment:
 * on Node 20 an object spread followed by more keys took over a microsecond per request in profiles.
 */
function finalHeaders(headers: GatehouseResponse['headers'], requestId: string): GatehouseResponse['headers'] {
  const out = assignOwn<GatehouseResponse['headers']>({ 'cache-control': 'no-store', pragma: 'no-cache' }, headers);
  out['x-request-id'] = requestId;
  return out;
}

export class LoginPipeline {
  /** Every route by `METHOD path` (paths may be templates, `/identities/{identityId}`). */
  readonly routes = new Map<string, RegisteredRoute>();
  readonly #table = new RouteTable<RegisteredRoute>();
  readonly #presentationOptions: PresentationOptions;

  constructor(
    private readonly deps: Deps,
    private readonly options: PipelineOptions,
  ) {
    this.#presentationOptions = {
      trustProxy: options.trustProxy,
      publicUrls: options.publicUrls ?? [],
      clientCertificateHeader: options.clientCertificateHeader,
      clientCertificateProxies: options.clientCertificateProxies ?? [],
    };
  }

  addStrategy(strategy: Strategy<unknown, unknown>): void {
    this.#add({
      strategy,
      dialect: dialects[strategy.dialect],
      endpoint: {
        id: strategy.id,
        method: strategy.route.method,
        path: strategy.route.path,
        dialect: strategy.dialect,
        requestSchema: strategy.requestSchema,
        responseSchema: strategy.responseSchema,
        handle: (input, ctx) => strategy.authenticate(input, ctx),
        openapi: strategy.openapi,
      },
    });
    for (const ep of strategy.endpoints ?? []) this.addEndpoint(ep as EndpointDefinition<unknown>);
  }

  addEndpoint(endpoint: EndpointDefinition<unknown>): void {
    this.#add({ endpoint, dialect: dialects[endpoint.dialect] });
  }

  #add(route: RegisteredRoute): void {
    const key = `${route.endpoint.method} ${route.endpoint.path}`;
    if (this.routes.has(key)) throw new Error(`Two routes registered for ${key}`);
    route.http = instrumentHttp(this.deps.http, this.deps.telemetry, route.strategy?.id ?? route.endpoint.id);
    this.routes.set(key, route);
    this.#table.add(route.endpoint.method, route.endpoint.path, route);
  }

  /** True when the path belongs to Gatehouse (any method): adapters use it to decide whether to handle. */
  ownsPath(path: string): boolean {
    return this.#table.methodsAt(path) !== undefined;
  }

  /** One request in, one response out. Never throws. One span per request, login metrics per login route. */
  async handle(req: GatehouseRequest): Promise<GatehouseResponse> {
    const requestId = newRequestId();
    const matched = this.#table.find(req.method.toUpperCase(), req.path);
    const endpointId = matched?.route.endpoint.id ?? 'unmatched';
    const telemetry = this.deps.telemetry;
    if (!telemetry.tracing) return this.#handle(req, requestId, matched?.route, matched?.params ?? {}, undefined);
    return telemetry.span(`gatehouse ${endpointId}`, { 'gatehouse.endpoint': endpointId, 'gatehouse.request_id': requestId }, (span) =>
      this.#handle(req, requestId, matched?.route, matched?.params ?? {}, span),
    );
  }

  async #handle(req: GatehouseRequest, requestId: string, route: RegisteredRoute | undefined, params: Record<string, string>, span: Span | undefined): Promise<GatehouseResponse> {
    const started = performance.now();
    const clientIp = resolveClientIp(req.socketAddress, req.headers['x-forwarded-for'], this.options.trustProxy);
    const dialect = route?.dialect ?? dialects[this.options.defaultDialect];
    const logger = childLogger(this.deps.logger, { reqId: requestId });
    const endpointId = route?.endpoint.id ?? 'unmatched';
    let subject: Subject | undefined;
    let actor: AuditActor | undefined;
    let auditDetail: Record<string, unknown> | undefined;
    let outcomeKind: Outcome['kind'] | undefined;
    let response: GatehouseResponse;
    let failure: AuthError | undefined;

    try {
      if (!route) {
        const methods = this.#table.methodsAt(req.path);
        if (methods) {
          throw new AuthError({ kind: 'method_not_allowed', reasonCode: 'method_not_allowed', headers: { allow: methods.join(', ') } });
        }
        throw new AuthError({ kind: 'not_found', reasonCode: 'route_not_found', message: `Route ${req.method.toUpperCase()} ${truncate(req.path, 200)} not found` });
      }
      assertStorableInput(params);
      const ctx = this.#context(req, route, requestId, clientIp, logger, params);
      // Authorization first: before the body is read or validated, before any limiter counts the call.
      if (route.endpoint.authorize) {
        await route.endpoint.authorize(ctx, (who) => {
          actor = { type: who.type, id: who.id, ...(who.name !== undefined ? { name: who.name } : {}) };
        });
      }
      const input = this.#input(req, route);
      if (this.options.rateLimit && (route.strategy || this.options.rateLimit.routes !== 'login')) await this.#rateLimit(endpointId, clientIp);
      if (this.options.limiter) await this.options.limiter(endpointId, ctx);
      assertStorableInput(input);
      const parsed = parseWith(route.endpoint.requestSchema, input);
      // DPoP at login (RFC 9449 §5), for every strategy: a proof that is there must be valid before any
      // credential is checked; its key is what the token will be bound to.
      const jkt = route.strategy && req.headers.dpop !== undefined ? await this.deps.binding.loginProof(ctx.presentation('body')) : undefined;
      const telemetry = this.deps.telemetry;
      const outcome = await (telemetry.tracing
        ? telemetry.span('gatehouse.strategy', { 'gatehouse.strategy': route.strategy?.id ?? route.endpoint.id }, () => route.endpoint.handle(parsed, ctx))
        : route.endpoint.handle(parsed, ctx));
      outcomeKind = outcome.kind;
      auditDetail = outcome.audit;
      response = await this.#render(outcome, route, ctx, jkt);
      if (jkt !== undefined) {
        const nonce = this.deps.binding.nonce();
        if (nonce) response.headers['dpop-nonce'] = nonce;
      }
      if (outcome.kind === 'authenticated' || outcome.kind === 'reply') subject = outcome.subject;
    } catch (err) {
      failure = toAuthError(err);
      if (failure.kind === 'internal' || failure.kind === 'unavailable' || failure.kind === 'upstream_failed') {
        const cause = failure.kind === 'internal' && !(err instanceof AuthError) ? err : failure.cause;
        // The root logger, naming the request id once (the request's child logger already binds it).
        this.deps.logger.error({ reqId: requestId, endpoint: endpointId, reasonCode: failure.reasonCode, err: describeError(cause) }, 'request failed');
      }
      const rendered = dialect.renderError(failure, requestId);
      response = { status: rendered.status, headers: rendered.headers, cookies: [], body: rendered.body };
    }

    response.headers = finalHeaders(response.headers, requestId);
    this.#record(span, route, outcomeKind, failure, response.status, started);
    // The audit event goes to the logger and the sink; with neither listening it is not even built.
    const audited = !this.deps.audit && discardsInfo(logger) ? undefined : this.#audit({
      type: auditType(route, outcomeKind, failure),
      at: this.deps.clock.now(),
      requestId,
      endpoint: endpointId,
      clientIp,
      subject: subject ? `${subject.type}:${subject.id}` : undefined,
      ...(actor ? { actor } : {}),
      reasonCode: failure?.reasonCode,
      status: response.status,
      // A refusal has no outcome detail; the route's path parameters (ids, never secrets) say what it was about.
      detail: auditDetail ?? (failure && Object.keys(params).length && findUnstorableString(params) === null ? { params } : undefined),
    }, logger);
    // Only a sink can make auditing asynchronous; without one the response goes out without another await.
    if (audited) await audited;
    return response;
  }

  /** The span's result and the metrics: login attempts and duration, lockouts, rate-limit refusals. */
  #record(span: Span | undefined, route: RegisteredRoute | undefined, kind: Outcome['kind'] | undefined, failure: AuthError | undefined, status: number, started: number) {
    const t = this.deps.telemetry;
    if (span) {
      span.setAttribute('http.response.status_code', status);
      if (failure) span.setAttribute('gatehouse.reason_code', t.labels.value('reason_code', failure.reasonCode));
      if (failure && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    // Metric attributes are built only for a meter that records (bounded labels cost a regex each).
    if (!t.metering) return;
    if (failure) {
      if (failure.kind === 'rate_limited') {
        // A lockout (an account's or an MFA user's failures) is not the per-address rate limit: counted apart.
        if (LOCKOUT_REASONS.has(failure.reasonCode)) t.lockouts.add(1, { 'gatehouse.strategy': route?.strategy?.id ?? route?.endpoint.id ?? 'unmatched', 'gatehouse.reason_code': failure.reasonCode });
        else t.rateLimited.add(1, { 'gatehouse.endpoint': route?.endpoint.id ?? 'unmatched' });
      }
    }
    if (!route?.strategy) return;
    const outcome: LoginOutcome = failure ? 'failure' : kind === 'challenge' ? 'challenge' : kind === 'redirect' ? 'redirect' : 'success';
    const strategy = route.strategy.id;
    t.loginAttempts.add(1, { 'gatehouse.strategy': strategy, 'gatehouse.outcome': outcome, 'gatehouse.reason_code': failure ? t.labels.value('reason_code', failure.reasonCode) : 'none' });
    t.loginDuration.record((performance.now() - started) / 1000, { 'gatehouse.strategy': strategy, 'gatehouse.outcome': outcome });
  }

  #input(req: GatehouseRequest, route: RegisteredRoute): unknown {
    const method = route.endpoint.method;
    if (method === 'GET' || method === 'DELETE') return req.query ?? {};
    switch (req.bodyError) {
      case 'too_large':
        throw new AuthError({ kind: 'payload_too_large', reasonCode: 'body_too_large' });
      case 'malformed_json':
        throw new AuthError({ kind: 'bad_request', reasonCode: 'malformed_json', message: 'The request body is not valid JSON' });
      case 'unsupported_media_type':
        throw new AuthError({ kind: 'unsupported_media_type', reasonCode: 'unsupported_media_type' });
      case 'aborted':
        throw new AuthError({ kind: 'bad_request', reasonCode: 'request_aborted', message: 'The request was aborted' });
      default:
        return req.body ?? {};
    }
  }

  async #rateLimit(endpointId: string, clientIp: string) {
    const rule = this.options.rateLimit!;
    const state = await this.deps.stores.limiter.hit(`rl:${endpointId}:${throttleKeyOf(clientIp)}`, rule.windowMs, this.deps.clock.now());
    if (state.count > rule.max) {
      const retryAfter = Math.max(1, Math.ceil((state.resetAt.getTime() - this.deps.clock.now().getTime()) / 1000));
      throw new AuthError({ kind: 'rate_limited', reasonCode: 'ip_rate_limited', retryAfter });
    }
  }

  async #render(outcome: Outcome, route: RegisteredRoute, ctx: StrategyContext, jkt: string | undefined): Promise<GatehouseResponse> {
    switch (outcome.kind) {
      case 'authenticated': {
        if (!route.strategy) throw new Error(`Endpoint ${route.endpoint.id} returned 'authenticated' but is not a login route`);
        if (outcome.token?.accessTokenRequireDpop && jkt === undefined) throw this.deps.binding.dpopRequired();
        let x5t: string | undefined;
        if (outcome.token?.accessTokenCertificateBound) {
          if (!outcome.clientCertificate) {
            throw new AuthError({ kind: 'forbidden', reasonCode: 'certificate_binding_unavailable', message: 'This identity requires certificate-bound tokens, and this login presented no client certificate' });
          }
          x5t = certificateThumbprint(outcome.clientCertificate);
        }
        let cnf: Confirmation | undefined;
        if (jkt !== undefined || x5t !== undefined) {
          cnf = {};
          if (jkt !== undefined) cnf.jkt = jkt;
          if (x5t !== undefined) cnf['x5t#S256'] = x5t;
        }
        const issued = await this.deps.issuer.issue({ subject: outcome.subject, authMethod: route.strategy.id, settings: outcome.token, clientIp: ctx.request.clientIp, cnf });
        if (outcome.reply) return fromReply(await outcome.reply(issued));
        return { status: 200, headers: {}, cookies: [], body: route.dialect.renderToken(issued) };
      }
      case 'challenge':
        return { status: outcome.status ?? 200, headers: {}, cookies: outcome.cookies ?? [], body: outcome.body };
      case 'redirect':
        return { status: outcome.status ?? 302, headers: { location: outcome.location }, cookies: outcome.cookies ?? [], body: undefined };
      case 'reply':
        return fromReply(outcome.reply);
    }
  }

  #context(req: GatehouseRequest, route: RegisteredRoute, requestId: string, clientIp: string, logger: Logger, params: Record<string, string>): StrategyContext {
    const protocol = resolveProtocol(req.protocol, req.socketAddress, req.headers['x-forwarded-proto'], this.options.trustProxy);
    const request = new RequestFacts(req, requestId, params, clientIp, protocol);
    const { stores, issuer, clock } = this.deps;
    return new PipelineContext(req, request, route.strategy?.id ?? route.endpoint.id, {
      stores,
      issuer,
      clock,
      http: route.http ?? this.deps.http,
      logger,
      presentationOptions: this.#presentationOptions,
    });
  }

  #audit(event: AuditEvent, logger: Logger): Promise<void> | undefined {
    logger.info({ audit: event }, event.type);
    const sink = this.deps.audit;
    if (!sink) return undefined;
    return (async () => {
      try {
        await sink(event);
      } catch (err) {
        logger.error({ err: describeError(err) }, 'audit sink failed');
      }
    })();
  }
}

function fromReply(reply: Reply): GatehouseResponse {
  return { status: reply.status ?? 200, headers: { ...reply.headers }, cookies: reply.cookies ?? [], body: reply.body };
}

function auditType(route: RegisteredRoute | undefined, kind: Outcome['kind'] | undefined, failure: AuthError | undefined): AuditEvent['type'] {
  if (route?.endpoint.id.startsWith('admin.')) return failure ? 'admin.failed' : 'admin.succeeded';
  const login = Boolean(route?.strategy);
  if (failure) return login ? 'login.failed' : 'endpoint.failed';
  if (login) return kind === 'challenge' ? 'login.challenged' : 'login.succeeded';
  if (route?.endpoint.id === 'token.renew') return 'token.renewed';
  if (route?.endpoint.id === 'token.revoke') return 'token.revoked';
  if (route?.endpoint.id === 'token.introspect') return 'token.introspected';
  return 'endpoint.succeeded';
}

/** Kinds a verifier outside the core (e.g. `@gatehouse-auth/client`'s TokenVerificationError) may signal by shape. */
const FOREIGN_KINDS = new Set(['unauthenticated', 'forbidden', 'unavailable']);

export function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof Error && err.name === 'TokenVerificationError') {
    const { kind, reasonCode, headers } = err as Error & { kind?: unknown; reasonCode?: unknown; headers?: unknown };
    if (typeof kind === 'string' && FOREIGN_KINDS.has(kind)) {
      // Only the challenge headers a token refusal may carry (RFC 6750 §3, RFC 9449 §7.1 and §9).
      const challenge: Record<string, string> = {};
      for (const name of ['www-authenticate', 'dpop-nonce']) {
        const value = (headers as Record<string, unknown> | undefined)?.[name];
        if (typeof value === 'string' && value.length <= 512 && !/[\r\n]/.test(value)) challenge[name] = value;
      }
      return new AuthError({
        kind: kind as 'unauthenticated',
        reasonCode: typeof reasonCode === 'string' ? reasonCode : kind,
        cause: err,
        ...(Object.keys(challenge).length ? { headers: challenge } : {}),
      });
    }
  }
  return new AuthError({ kind: 'internal', reasonCode: 'unexpected_exception', cause: err });
}

/**
 * Error detail for logs: type, code and stack frames. Not the message: an unexpected exception's message
 * may quote whatever it was handed (a password, a signed request), and secrets never reach a log line.
 */
function describeError(err: unknown): Record<string, unknown> | undefined {
  if (err === undefined) return undefined;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      type: err.name,
      ...(typeof code === 'string' ? { code } : {}),
      ...(err instanceof AuthError ? { reasonCode: err.reasonCode } : {}),
      stack: err.stack?.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 8).join('\n'),
      ...(err.cause !== undefined ? { cause: describeError(err.cause) } : {}),
    };
  }
  return { type: typeof err };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
