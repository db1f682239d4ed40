/**
 * The admin API (docs/admin-api.md): identities, each machine login method on them (Infisical-shaped), and
 * password users, behind admin credentials with scopes. Off unless `createGatehouse({ adminApi })` asks for it.
 */
import type { EndpointDefinition, Strategy } from '../contract/strategy.js';
import type { GatehouseAdmin } from '../runtime/admin.js';
import { identityEndpoints } from './identities.js';
import { methodEndpoints } from './methods.js';
import { userEndpoints, type UserAdminOptions } from './users.js';

/** Options of `createGatehouse({ adminApi })`: today, those of the password-user routes. */
export type AdminApiOptions = UserAdminOptions;

export function adminEndpoints(admin: GatehouseAdmin, strategies: Strategy<unknown, unknown>[], options: AdminApiOptions = {}): EndpointDefinition<never>[] {
  return [
    ...identityEndpoints(admin, strategies),
    ...strategies.filter((s) => s.admin).flatMap((s) => methodEndpoints(s, admin)),
    ...userEndpoints(admin, options),
  ];
}

export { ADMIN_SECURITY_SCHEME, adminSecuritySchemes, authorizeAdmin } from './authorize.js';
export { IDENTITY_ROUTES } from './identities.js';
export { methodView, tokenFields, trustedIpView } from './methods.js';
export { USER_ROUTES, userView } from './users.js';
export type { UserAdminOptions } from './users.js';
export { formatScope, normaliseScopes, parseScope, scopeAllows } from './scopes.js';
export type { AdminAction, AdminScope } from './scopes.js';
export { ADMIN_TOKEN_PATTERN, ADMIN_TOKEN_PREFIX, generateAdminToken, hashAdminToken, isWellFormedAdminToken } from './token-format.js';
