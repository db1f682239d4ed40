/**
 * Who may call an admin route: `Authorization: Bearer <admin token>` whose credential is live and holds the
 * route's scope. Every refusal is its own reason, and none writes anything: the credential's `lastUsedAt`
 * moves only for a request that is let through.
 */
import type { EndpointDefinition, StrategyContext } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuditActor } from '../runtime/audit.js';
import { formatScope, scopeAllows, type AdminScope } from './scopes.js';
import { ADMIN_TOKEN_PREFIX, hashAdminToken, isWellFormedAdminToken } from './token-format.js';

export const ADMIN_SECURITY_SCHEME = 'adminToken';

/** The OpenAPI security scheme of the admin routes. */
export const adminSecuritySchemes = {
  [ADMIN_SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'gha_…',
    description:
      'An admin token from `gatehouse admin token create --scope …` (docs/admin-api.md). Access tokens from a login are never accepted. Each operation lists the scope it needs.',
  },
};

const CHALLENGE = { 'www-authenticate': 'Bearer realm="gatehouse-admin"' };
/** A JWS compact serialisation: what every access token of a login looks like. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const refuse = (reasonCode: string, message: string) => new AuthError({ kind: 'unauthenticated', reasonCode, message, headers: CHALLENGE });

/** The bearer value of the request, or a refusal saying what is wrong with what was sent. */
function bearerOf(header: unknown): string {
  if (header === undefined) throw refuse('admin_credential_missing', 'Admin routes need Authorization: Bearer <admin token>');
  const value = Array.isArray(header) ? undefined : header;
  const match = typeof value === 'string' ? /^([A-Za-z]+) +(\S+)\s*$/.exec(value) : null;
  if (!match) throw refuse('admin_credential_malformed', 'The Authorization header must be: Bearer <admin token>');
  const [, scheme, token] = match as unknown as [string, string, string];
  if (JWT_SHAPE.test(token) || scheme.toLowerCase() === 'dpop') {
    throw refuse('login_token_refused', 'Admin routes never accept an access token from a login: use an admin token (gha_…) made with `gatehouse admin token create`');
  }
  if (scheme.toLowerCase() !== 'bearer') throw refuse('admin_credential_malformed', 'The Authorization header must be: Bearer <admin token>');
  if (!token.startsWith(ADMIN_TOKEN_PREFIX) || !isWellFormedAdminToken(token)) {
    throw refuse('admin_credential_malformed', 'The bearer value is not an admin token (gha_…)');
  }
  return token;
}

/** Authenticates the admin credential of the request and checks `required`; returns the caller. */
export async function authorizeAdmin(ctx: StrategyContext, required: AdminScope, identify: (actor: AuditActor) => void): Promise<AuditActor> {
  const token = bearerOf(ctx.request.headers.authorization);
  const store = ctx.stores.adminCredentials;
  const credential = await store.findByHash(hashAdminToken(token));
  if (!credential) throw refuse('admin_credential_unknown', 'Unknown admin token');
  const actor: AuditActor = { type: 'admin_credential', id: credential.id, name: credential.name };
  identify(actor);
  const now = ctx.clock.now();
  if (credential.revokedAt) throw refuse('admin_credential_revoked', 'This admin token has been revoked');
  if (credential.expiresAt && credential.expiresAt.getTime() <= now.getTime()) throw refuse('admin_credential_expired', 'This admin token has expired');
  if (!scopeAllows(credential.scopes, required)) {
    const scope = formatScope(required);
    throw new AuthError({ kind: 'forbidden', reasonCode: 'admin_scope_missing', message: `This admin token lacks the scope ${scope}` });
  }
  // Atomic with revocation: a credential revoked since it was read above is refused here.
  if (!(await store.markUsed(credential.id, now))) throw refuse('admin_credential_revoked', 'This admin token has been revoked');
  return actor;
}

/** The `authorize` hook and OpenAPI security of an admin endpoint needing `scope`. */
export function adminAccess(scope: AdminScope): Pick<EndpointDefinition, 'authorize'> & { security: Record<string, string[]>[] } {
  return {
    authorize: async (ctx, identify) => {
      await authorizeAdmin(ctx, scope, identify);
    },
    security: [{ [ADMIN_SECURITY_SCHEME]: [formatScope(scope)] }],
  };
}

/** OpenAPI metadata of one admin operation under `tags`: summary, id, and the scope it needs (from its `adminAccess`). */
export function adminOperation(tags: string[]) {
  return (access: ReturnType<typeof adminAccess>, operationId: string, summary: string, description?: string) => ({
    summary,
    ...(description ? { description } : {}),
    tags,
    operationId,
    security: access.security,
    securitySchemes: adminSecuritySchemes,
  });
}
