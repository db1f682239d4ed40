export { AuthError, StoreUnavailableError, authErrors, ERROR_KINDS, isInfrastructureFailure } from './errors/auth-error.js';
export type { ErrorKind, AuthErrorOptions, ValidationIssue } from './errors/auth-error.js';
export { STATUS_BY_KIND } from './errors/http-status.js';

export type { GatehouseRequest, GatehouseResponse, Cookie, BodyError, HeaderValue } from './contract/http.js';
export { defineStrategy, defineEndpoint } from './contract/strategy.js';
export type { Strategy, StrategyAdminApi, EndpointDefinition, Outcome, Reply, Subject, StrategyContext, RequestInfo } from './contract/strategy.js';

export { dialects, infisicalDialect, eceDialect, bytebaseDialect, formatEceTime, CONNECT_HTTP_STATUS } from './dialects/index.js';
export type { Dialect, DialectName, RenderedError } from './dialects/index.js';

export { createGatehouse, TOKENS } from './runtime/container.js';
export type { Gatehouse, GatehouseOptions, GatehouseTokenBindingOptions } from './runtime/container.js';
export { GatehouseAdmin } from './runtime/admin.js';
export { systemClock, ManualClock } from './runtime/clock.js';
export type { Clock } from './runtime/clock.js';
export { silentLogger, unconfiguredLogger, NO_LOGGER_WARNING_CODE } from './runtime/logger.js';
export type { Logger, LogFn } from './runtime/logger.js';
export type { AuditEvent, AuditSink, AuditActor } from './runtime/audit.js';

export { LoginPipeline, newRequestId, toAuthError } from './pipeline/pipeline.js';
export type { PipelineOptions, RateLimitRule, RegisteredRoute } from './pipeline/pipeline.js';
export { resolveClientIp, resolveProtocol, isTrustedProxy } from './pipeline/client-address.js';
export type { TrustProxy } from './pipeline/client-address.js';
export { validationError, parseWith } from './pipeline/validation.js';

export { TokenIssuer, DEFAULT_ISSUER_OPTIONS, TOKEN_TYPE, NO_RENEWAL_LIMIT, subjectKeyOf } from './tokens/issuer.js';
export type { IssuerOptions, IssuedToken, VerifiedToken, VerifyOptions, StatefulCheck, IntrospectionResponse } from './tokens/issuer.js';
export { ed25519Library, type Ed25519Signer } from './tokens/ed25519.js';
export { KeyManager, jwksMaxAgeSeconds, checkKeyTimings, JWKS_MAX_AGE_CAP_SECONDS } from './tokens/keys.js';
export type { KeyManagerOptions, SigningKey } from './tokens/keys.js';
export { tokenSettingsSchema, DEFAULT_TOKEN_SETTINGS, cidrSchema, ipAllowed, parseCidr, parseAddress } from './tokens/settings.js';
export type { TokenSettings, TokenSettingsInput, ResolvedTokenSettings } from './tokens/settings.js';
export { coreEndpoints, TOKEN_ROUTES, tokenResponseSchema, boundTokenResponseSchema } from './tokens/endpoints.js';

export { createOutboundHttp, DEFAULT_OUTBOUND } from './http/outbound.js';
export type { OutboundHttp, OutboundHttpOptions, OutboundRequest, OutboundResponse } from './http/outbound.js';

export { buildOpenApi, toJsonSchema } from './openapi/builder.js';
export type { OpenApiInfo } from './openapi/builder.js';

export {
  createMemoryStores,
  MemoryIdentityStore,
  MemoryUserStore,
  MemoryTokenStore,
  MemoryReplayStore,
  MemoryLimiterStore,
  MemoryKeyStore,
  MemoryAdminCredentialStore,
} from './stores/memory.js';
export type * from './stores/ports.js';
export * from './guard/index.js';

export { Telemetry, BoundedLabels, INSTRUMENTATION_SCOPE, instrumentStores, instrumentHttp } from './telemetry/index.js';
export type { TelemetryOptions, LoginOutcome } from './telemetry/index.js';
export * from './binding/index.js';
export * from './dpop/index.js';
export {
  adminEndpoints,
  ADMIN_SECURITY_SCHEME,
  ADMIN_TOKEN_PATTERN,
  ADMIN_TOKEN_PREFIX,
  IDENTITY_ROUTES,
  USER_ROUTES,
  formatScope,
  generateAdminToken,
  hashAdminToken,
  isWellFormedAdminToken,
  methodView,
  normaliseScopes,
  parseScope,
  scopeAllows,
  tokenFields,
  trustedIpView,
  userView,
} from './admin-api/index.js';
export type { AdminApiOptions, AdminAction, AdminScope, UserAdminOptions } from './admin-api/index.js';
export type { NewAdminCredentialInput } from './runtime/admin.js';
