/**
 * The contract a login strategy (and any extra endpoint) implements. A strategy owns exactly one thing:
 * deciding who the caller is. Everything else (validation, limiting, issuing, rendering, audit) is the core's.
 */
import type { z } from 'zod';
import type { Cookie, GatehouseRequest } from './http.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { Stores, IdentityMethod, Identity } from '../stores/ports.js';
import type { TokenSettings } from '../tokens/settings.js';
import type { OutboundHttp } from '../http/outbound.js';
import type { DialectName } from '../dialects/types.js';
import type { TokenIssuer, IssuedToken, VerifiedToken } from '../tokens/issuer.js';
import type { Presentation } from '../binding/token-binding.js';
import type { AuditActor } from '../runtime/audit.js';

/** Who the caller turned out to be. */
export interface Subject {
  type: 'identity' | 'user';
  /** Identity id or user id. */
  id: string;
  /** Extra public claims put into the token (e.g. `email`). Keep small; never secrets. */
  claims?: Record<string, unknown>;
}

/** The issued token, plus the outcome that produced it, handed to `reply` to shape the success response. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  cookies?: Cookie[];
  body?: unknown;
}

export type Outcome =
  | {
      kind: 'authenticated';
      subject: Subject;
      /** Token settings (per identity method, or per strategy for users). Defaults apply when omitted. */
      token?: Partial<TokenSettings>;
      /** Safe detail for the audit event. */
      audit?: Record<string, unknown>;
      /** Shapes the success response; the dialect's default success body is used when omitted. */
      reply?: (issued: IssuedToken) => Reply | Promise<Reply>;
      /**
       * DER of the client certificate the caller authenticated with (leaf). When the identity's token settings
       * ask for it (`accessTokenCertificateBound`), the token is bound to it (RFC 8705 `cnf["x5t#S256"]`).
       */
      clientCertificate?: Uint8Array;
    }
  | {
      /** More proof needed (e.g. MFA). The body carries e.g. `{ mfaTempToken }`. */
      kind: 'challenge';
      body: unknown;
      status?: number;
      cookies?: Cookie[];
      audit?: Record<string, unknown>;
    }
  | {
      kind: 'redirect';
      location: string;
      status?: 301 | 302 | 303 | 307 | 308;
      cookies?: Cookie[];
      audit?: Record<string, unknown>;
    }
  | {
      /** A plain response for non-login endpoints (enrolment, refresh…). */
      kind: 'reply';
      reply: Reply;
      subject?: Subject;
      audit?: Record<string, unknown>;
    };

/**
 * Request facts a strategy may read. `clientIp` and `protocol` already honour the server's `trustProxy`
 * setting (`X-Forwarded-For`, `X-Forwarded-Proto` from trusted proxies only).
 */
export interface RequestInfo {
  requestId: string;
  method: string;
  path: string;
  headers: GatehouseRequest['headers'];
  query: NonNullable<GatehouseRequest['query']>;
  /** Values of the route's `{name}` path segments (percent-decoded); empty for exact paths. */
  params: Record<string, string>;
  cookies: Record<string, string>;
  clientIp: string;
  socketAddress: string;
  protocol: 'http' | 'https';
  peerCertificates: Uint8Array[];
  signal: AbortSignal | undefined;
}

export interface StrategyContext {
  request: RequestInfo;
  clock: Clock;
  stores: Stores;
  http: OutboundHttp;
  logger: Logger;
  issuer: TokenIssuer;
  /**
   * Loads an identity and its config for this strategy; throws not_found (`identity_not_found`) otherwise,
   * and forbidden (`organization_mismatch`) when `organizationSlug` is given and differs from the identity's.
   */
  identityMethod(identityId: string, opts?: { organizationSlug?: string }): Promise<{ identity: Identity; method: IdentityMethod }>;
  /**
   * Verifies the caller's token (`Authorization: Bearer`, `Authorization: DPoP` with its proof, or the
   * `access-token` cookie), its binding included; throws unauthenticated otherwise.
   */
  requirePrincipal(opts?: { consume?: boolean }): Promise<VerifiedToken>;
  /**
   * How a token arrives with this request, for `issuer.verify`/`renew`/`revoke` when an endpoint reads the
   * token itself (e.g. from the body: `scheme: 'body'`): method, URLs, DPoP proof, client certificate.
   */
  presentation(scheme: Presentation['scheme']): Presentation;
}

export interface EndpointDefinition<TInput = unknown> {
  /** Unique id, used in audit events and OpenAPI operation ids. */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Exact, or a template whose `{name}` segments become `ctx.request.params` (`/identities/{identityId}`). */
  path: string;
  dialect: DialectName;
  /** zod schema of the JSON body (POST/PUT/PATCH) or of the query (GET/DELETE). */
  requestSchema: z.ZodType<TInput>;
  /** zod schema of the success body (documentation + tests). */
  responseSchema?: z.ZodType;
  handle(input: TInput, ctx: StrategyContext): Promise<Outcome>;
  /**
   * Who may call this endpoint, decided before its input is read or validated (so a caller who may not call it
   * learns nothing about the input rules). Throws an AuthError to refuse. `identify` names the caller for the
   * request's audit event as soon as it is known, so a refusal after that (revoked, wrong scope) names it too.
   */
  authorize?(ctx: StrategyContext, identify: (actor: AuditActor) => void): Promise<void>;
  openapi?: {
    summary?: string;
    description?: string;
    tags?: string[];
    operationId?: string;
    successStatus?: number;
    /** OpenAPI security requirements of the operation, e.g. `[{ adminToken: ['identities:write'] }]`. */
    security?: Record<string, string[]>[];
    /** Security schemes the requirements name, merged into `components.securitySchemes`. */
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
}

/**
 * A login strategy. `configSchema` validates an identity's per-method config when it is written
 * (through `GatehouseAdmin.attachMethod`); `authenticate` reads it back through `ctx.identityMethod`.
 */
export interface Strategy<TInput = unknown, TConfig = unknown> {
  /** Also the method name on identities, e.g. `alicloud`. */
  id: string;
  route: { method: 'POST'; path: string };
  dialect: DialectName;
  requestSchema: z.ZodType<TInput>;
  responseSchema: z.ZodType;
  /** Per-identity method config; omit for strategies that log users in (no identity config). */
  configSchema?: z.ZodType<TConfig>;
  /**
   * The strategy authenticates callers by a client certificate and returns it (`clientCertificate`), so its
   * identities may ask for certificate-bound tokens (`accessTokenCertificateBound`).
   */
  clientCertificates?: boolean;
  authenticate(input: TInput, ctx: StrategyContext): Promise<Outcome>;
  /** Extra endpoints the strategy owns (refresh, enrolment…), better-auth style. */
  endpoints?: EndpointDefinition<never>[];
  /**
   * How the admin API manages this method on identities (Infisical-shaped: attach, read, update, revoke at
   * `/api/v1/auth/<segment>/identities/{identityId}`). Omit for strategies without identity config.
   */
  admin?: StrategyAdminApi;
  openapi?: { summary?: string; description?: string; tags?: string[]; operationId?: string };
}

/**
 * A login method's face in the admin API: its own fields, by their API names, and how they map onto the
 * strategy's `configSchema`. The token fields (`accessTokenTTL`, `accessTokenTrustedIps`…) are the core's.
 * Every config the API builds is still validated by `configSchema` (through `GatehouseAdmin`), and a failure
 * there is reported under the API's field name (`fieldOf`).
 */
export interface StrategyAdminApi {
  /** Path segment and scope resource: `alicloud-auth` → `/api/v1/auth/alicloud-auth/identities/{identityId}`, `alicloud-auth:write`. */
  segment: string;
  /** Response envelope key, e.g. `identityAliCloudAuth`. */
  envelope: string;
  /** For documentation: e.g. `Alibaba Cloud Auth`. */
  title: string;
  /**
   * The method's own fields of an attach body, by API name. No `.default()` here: an update takes the same
   * fields, each optional, and an absent field keeps its stored value (defaults belong in `toConfig`).
   */
  fields: Record<string, z.ZodType>;
  /** The fields an attach must carry. */
  required: readonly string[];
  /** API fields (parsed by `fields`) → the strategy's config input. `current` is the stored config on update. */
  toConfig(fields: Record<string, unknown>, current: unknown): unknown;
  /** The stored config → the method's fields of a response (Infisical's shapes, e.g. comma-separated lists). */
  toFields(config: unknown): Record<string, unknown>;
  /** The API field a `configSchema` issue is about: `['allowedArns', 2]` → `allowedArns`. */
  fieldOf(configPath: readonly PropertyKey[]): string;
}

/** Identity helper for authors: keeps inference of TInput/TConfig from the schemas. */
export function defineStrategy<TInput, TConfig = unknown>(strategy: Strategy<TInput, TConfig>): Strategy<TInput, TConfig> {
  return strategy;
}

export function defineEndpoint<TInput>(endpoint: EndpointDefinition<TInput>): EndpointDefinition<TInput> {
  return endpoint;
}
