export { ociStrategy } from './strategy.js';
export type { OciStrategyOptions } from './strategy.js';
export {
  OCI_LOGIN_PATH,
  ociLoginRequestSchema,
  ociLoginResponseSchema,
  ociConfigSchema,
} from './schemas.js';
export type { OciLoginRequest, OciIdentityConfig, OciIdentityConfigInput } from './schemas.js';
export { DEFAULT_REALM_DOMAINS, identityHostParser, normaliseRealmDomains } from './identity-host.js';
export type { IdentityHost } from './identity-host.js';
export { parseOciSignature } from './authorization-header.js';
export type { OciSignature } from './authorization-header.js';
export { parseHttpDate } from './signed-date.js';
export type { RelayOverride } from './relay-target.js';
export { USER_OCID, TENANCY_OCID } from './ocid.js';
export { ociAdminApi } from './admin-api.js';
