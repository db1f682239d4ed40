import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { GatehouseRequest, GatehouseResponse } from '../contract/http.js';
import type { EndpointDefinition, Strategy } from '../contract/strategy.js';
import type { DialectName } from '../dialects/types.js';
import { createOutboundHttp, type OutboundHttp, type OutboundHttpOptions } from '../http/outbound.js';
import { buildOpenApi, type OpenApiInfo } from '../openapi/builder.js';
import type { TrustProxy } from '../pipeline/client-address.js';
import { LoginPipeline, type PipelineOptions, type RateLimitRule } from '../pipeline/pipeline.js';
import { createMemoryStores } from '../stores/memory.js';
import type { Stores } from '../stores/ports.js';
import { coreEndpoints } from '../tokens/endpoints.js';
import { DEFAULT_ISSUER_OPTIONS, TokenIssuer, type IssuerOptions } from '../tokens/issuer.js';
import { GatehouseAdmin } from './admin.js';
import { adminEndpoints, type AdminApiOptions } from '../admin-api/index.js';
import { TokenBinding, type TokenBindingOptions } from '../binding/token-binding.js';
import { parsePublicUrls } from '../binding/request-urls.js';
import type { AuditSink } from './audit.js';
import { systemClock, type Clock } from './clock.js';
import { unconfiguredLogger, type Logger } from './logger.js';
import { instrumentStores } from '../telemetry/instrument.js';
import { Telemetry, type TelemetryOptions } from '../telemetry/telemetry.js';

/** Explicit injection tokens: no reliance on emitted decorator metadata (works under esbuild/vitest). */
export const TOKENS = {
  Clock: Symbol.for('gatehouse.Clock'),
  Logger: Symbol.for('gatehouse.Logger'),
  Stores: Symbol.for('gatehouse.Stores'),
  Http: Symbol.for('gatehouse.Http'),
  Audit: Symbol.for('gatehouse.Audit'),
  IssuerOptions: Symbol.for('gatehouse.IssuerOptions'),
  Telemetry: Symbol.for('gatehouse.Telemetry'),
  Binding: Symbol.for('gatehouse.Binding'),
  Issuer: Symbol.for('gatehouse.Issuer'),
  PipelineOptions: Symbol.for('gatehouse.PipelineOptions'),
  Pipeline: Symbol.for('gatehouse.Pipeline'),
  Strategies: Symbol.for('gatehouse.Strategies'),
  Admin: Symbol.for('gatehouse.Admin'),
} as const;

export interface GatehouseOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- strategies are heterogeneous by design
  strategies?: Strategy<any, any>[];
  /** Extra endpoints beyond the strategies' own. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  endpoints?: EndpointDefinition<any>[];
  /** Defaults to in-memory stores (tests, tiny apps). */
  stores?: Stores;
  issuer?: Partial<IssuerOptions>;
  clock?: Clock;
  /** Where errors and audit lines go (a pino instance works). Default: silent, with one process warning on the first error. */
  logger?: Logger;
  audit?: AuditSink;
  /** Outbound HTTP client, or options for the default pooled one. */
  http?: OutboundHttp | Partial<OutboundHttpOptions>;
  trustProxy?: TrustProxy;
  defaultDialect?: DialectName;
  rateLimit?: RateLimitRule;
  limiter?: PipelineOptions['limiter'];
  /**
   * Secrets resource servers present to `POST /api/v1/auth/token/introspect` as `Authorization: Bearer <secret>`
   * (RFC 7662 §2.1). Several: rotation, or one per service. Without one (and without `introspectionOpen`)
   * every introspection call is refused.
   */
  introspectionSecret?: string | string[];
  /** Serve introspection without caller authentication. Only behind a boundary that authenticates callers. Default false. */
  introspectionOpen?: boolean;
  /** Serve the core token routes (renew, revoke, introspect, JWKS). Default true. */
  tokenRoutes?: boolean;
  /**
   * OpenTelemetry providers (docs/operations.md). Default: the global ones from `@opentelemetry/api` — no-ops
   * until an SDK is registered, so nothing is recorded or exported unless the application asks for it.
   */
  telemetry?: TelemetryOptions;
  /** Sender-constrained tokens (DPoP, certificate-bound): see `GatehouseTokenBindingOptions`. */
  tokenBinding?: GatehouseTokenBindingOptions;
  /**
   * Serve the admin API (docs/admin-api.md): identities, machine login methods (Infisical-shaped) and password
   * users, for admin credentials with scopes (`admin.createAdminCredential`). `true` or options: on. Default off.
   */
  adminApi?: boolean | AdminApiOptions;
}

export interface GatehouseTokenBindingOptions extends TokenBindingOptions {
  /**
   * The base URLs clients reach this server at (e.g. `https://auth.example.com`, with any path prefix a proxy
   * strips). A DPoP proof's `htu` must be one of them followed by the request path. Unset: the URL is rebuilt
   * from the request (scheme and X-Forwarded-Host from trusted proxies, else Host); set it in production.
   */
  publicUrls?: string[];
  /** Header a TLS-terminating proxy puts the client's URL-encoded PEM chain in (as tls-cert's `certificateHeader`). */
  clientCertificateHeader?: string;
  /** CIDRs of the proxies whose `clientCertificateHeader` is believed. */
  clientCertificateProxies?: string[];
}

export interface Gatehouse {
  /** One framework-neutral request in, one response out. Never throws. */
  handle(req: GatehouseRequest): Promise<GatehouseResponse>;
  /** True when Gatehouse serves this path (for any method). */
  ownsPath(path: string): boolean;
  /** Every route: method, path, endpoint definition. */
  routes(): { method: string; path: string; endpoint: EndpointDefinition<unknown>; dialect: DialectName; login: boolean }[];
  readonly issuer: TokenIssuer;
  readonly stores: Stores;
  readonly admin: GatehouseAdmin;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly container: DependencyContainer;
  /** The OpenTelemetry instruments (for application-level additions, e.g. the server's key-age gauge). */
  readonly telemetry: Telemetry;
  openapi(info?: Partial<OpenApiInfo>): Record<string, unknown>;
  close(): Promise<void>;
}

/** Composes a Gatehouse from explicit parts. Nothing global: each call gets its own child container. */
export function createGatehouse(options: GatehouseOptions = {}): Gatehouse {
  const c = rootContainer.createChildContainer();
  const ownsHttp = !(options.http && 'request' in options.http);
  c.register(TOKENS.Clock, { useValue: options.clock ?? systemClock });
  c.register(TOKENS.Logger, { useValue: options.logger ?? unconfiguredLogger() });
  const telemetry = new Telemetry(options.telemetry);
  c.register(TOKENS.Telemetry, { useValue: telemetry });
  // Every store call in a span, for everything that uses the stores (pipeline, strategies, issuer, admin).
  c.register(TOKENS.Stores, { useValue: instrumentStores(options.stores ?? createMemoryStores(), telemetry) });
  c.register(TOKENS.Http, {
    useValue:
      options.http && 'request' in options.http
        ? options.http
        : createOutboundHttp((options.http as Partial<OutboundHttpOptions> | undefined) ?? {}),
  });
  // tsyringe treats a falsy useValue as no provider, so the optional sink travels in a box.
  c.register(TOKENS.Audit, { useValue: { sink: options.audit } });
  c.register(TOKENS.IssuerOptions, { useValue: { ...DEFAULT_ISSUER_OPTIONS, ...options.issuer } satisfies IssuerOptions });
  const binding = options.tokenBinding ?? {};
  if (binding.clientCertificateHeader !== undefined && !binding.clientCertificateProxies?.length) {
    throw new Error('tokenBinding.clientCertificateHeader needs clientCertificateProxies: a header from anyone is a forged certificate');
  }
  c.register(TOKENS.PipelineOptions, {
    useValue: {
      trustProxy: options.trustProxy ?? false,
      defaultDialect: options.defaultDialect ?? 'infisical',
      rateLimit: options.rateLimit,
      limiter: options.limiter,
      publicUrls: parsePublicUrls(binding.publicUrls),
      clientCertificateHeader: binding.clientCertificateHeader?.toLowerCase(),
      clientCertificateProxies: binding.clientCertificateProxies ?? [],
    } satisfies PipelineOptions,
  });
  c.register(TOKENS.Binding, {
    useFactory: instanceCachingFactory((d) => new TokenBinding(d.resolve<Stores>(TOKENS.Stores).replay, d.resolve(TOKENS.Clock), { dpop: binding.dpop, nonce: binding.nonce })),
  });
  c.register(TOKENS.Strategies, { useValue: options.strategies ?? [] });
  c.register(TOKENS.Issuer, {
    useFactory: instanceCachingFactory(
      (d) =>
        new TokenIssuer(
          d.resolve<Stores>(TOKENS.Stores).tokens,
          d.resolve<Stores>(TOKENS.Stores).keys,
          d.resolve(TOKENS.Clock),
          d.resolve(TOKENS.IssuerOptions),
          d.resolve(TOKENS.Binding),
          d.resolve(TOKENS.Telemetry),
        ),
    ),
  });
  c.register(TOKENS.Pipeline, {
    useFactory: instanceCachingFactory((d) => {
      const pipeline = new LoginPipeline(
        {
          stores: d.resolve(TOKENS.Stores),
          issuer: d.resolve(TOKENS.Issuer),
          clock: d.resolve(TOKENS.Clock),
          logger: d.resolve(TOKENS.Logger),
          http: d.resolve(TOKENS.Http),
          audit: d.resolve<{ sink?: AuditSink }>(TOKENS.Audit).sink,
          telemetry: d.resolve(TOKENS.Telemetry),
          binding: d.resolve(TOKENS.Binding),
        },
        d.resolve(TOKENS.PipelineOptions),
      );
      for (const s of d.resolve<Strategy<unknown, unknown>[]>(TOKENS.Strategies)) pipeline.addStrategy(s);
      if (options.tokenRoutes !== false) {
        const secrets = options.introspectionSecret === undefined ? [] : [options.introspectionSecret].flat();
        if (secrets.some((secret) => typeof secret !== 'string' || secret.length < 16)) throw new Error('introspectionSecret: every secret must be a string of at least 16 characters');
        for (const ep of coreEndpoints({ introspection: { secrets, open: options.introspectionOpen === true } })) pipeline.addEndpoint(ep as EndpointDefinition<unknown>);
      }
      for (const ep of options.endpoints ?? []) pipeline.addEndpoint(ep as EndpointDefinition<unknown>);
      if (options.adminApi) {
        if (!d.resolve<Stores>(TOKENS.Stores).adminCredentials) throw new Error('adminApi needs stores with the adminCredentials port (every store of @gatehouse-auth/core and @gatehouse-auth/store-postgres has it)');
        const adminOptions = options.adminApi === true ? {} : options.adminApi;
        for (const ep of adminEndpoints(d.resolve(TOKENS.Admin), d.resolve(TOKENS.Strategies), adminOptions)) pipeline.addEndpoint(ep as EndpointDefinition<unknown>);
      }
      return pipeline;
    }),
  });
  c.register(TOKENS.Admin, {
    useFactory: instanceCachingFactory(
      (d) => new GatehouseAdmin(d.resolve(TOKENS.Stores), d.resolve(TOKENS.Strategies), d.resolve(TOKENS.Clock), d.resolve(TOKENS.Issuer)),
    ),
  });

  const pipeline = c.resolve<LoginPipeline>(TOKENS.Pipeline);
  const stores = c.resolve<Stores>(TOKENS.Stores);
  const http = c.resolve<OutboundHttp>(TOKENS.Http);

  return {
    handle: (req) => pipeline.handle(req),
    ownsPath: (path) => pipeline.ownsPath(path),
    routes: () =>
      [...pipeline.routes.values()].map((r) => ({
        method: r.endpoint.method,
        path: r.endpoint.path,
        endpoint: r.endpoint,
        dialect: r.dialect.name,
        login: Boolean(r.strategy),
      })),
    issuer: c.resolve(TOKENS.Issuer),
    stores,
    admin: c.resolve(TOKENS.Admin),
    clock: c.resolve(TOKENS.Clock),
    logger: c.resolve(TOKENS.Logger),
    container: c,
    telemetry,
    openapi: (info) => buildOpenApi([...pipeline.routes.values()], info),
    async close() {
      if (ownsHttp) await http.close();
      await stores.close?.();
    },
  };
}
