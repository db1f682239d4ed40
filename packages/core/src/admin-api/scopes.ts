/**
 * The scope grammar of admin credentials: `<resource>:<action>`.
 *
 * - `resource`: `identities`, `users`, or a machine login method's API name (`alicloud-auth`, `oci-auth`,
 *   `tls-cert-auth`: the path segment of its routes), or `*` for every resource.
 * - `action`: `read` (GET) or `write` (POST, PATCH, DELETE). `write` includes `read` of the same resource:
 *   a credential that may change a thing may also read it back.
 *
 * So `*:write` may do everything, `*:read` may read everything, `identities:write` + `alicloud-auth:write`
 * may create identities and attach Alibaba Cloud logins to them.
 */
import { AuthError } from '../errors/auth-error.js';

export type AdminAction = 'read' | 'write';

export interface AdminScope {
  resource: string;
  action: AdminAction;
}

const SCOPE = /^(\*|[a-z][a-z0-9-]{0,62}):(read|write)$/;

export const formatScope = (s: AdminScope) => `${s.resource}:${s.action}`;

/** Parses one scope; null when it is not of the grammar. */
export function parseScope(text: string): AdminScope | null {
  const m = SCOPE.exec(text);
  return m ? { resource: m[1]!, action: m[2] as AdminAction } : null;
}

/** True when any of `granted` allows `required`. Granted scopes were validated when the credential was made. */
export function scopeAllows(granted: readonly string[], required: AdminScope): boolean {
  return granted.some((text) => {
    const g = parseScope(text);
    if (!g) return false;
    const resource = g.resource === '*' || g.resource === required.resource;
    return resource && (g.action === 'write' || required.action === 'read');
  });
}

/**
 * Validates the scopes of a new credential against the resources this server has: each must follow the grammar
 * and name a known resource (or `*`). Duplicates are dropped; the order is kept. Errors name the scope.
 */
export function normaliseScopes(scopes: readonly string[], resources: readonly string[]): string[] {
  if (scopes.length === 0) throw scopeError('at least one scope is required', 'scopes');
  const out: string[] = [];
  for (const [i, text] of scopes.entries()) {
    const s = typeof text === 'string' ? parseScope(text.trim()) : null;
    if (!s) throw scopeError(`"${String(text).slice(0, 80)}" is not <resource>:<read|write>`, `scopes.${i}`);
    if (s.resource !== '*' && !resources.includes(s.resource)) {
      throw scopeError(`"${formatScope(s)}" names an unknown resource; this server has: ${['*', ...resources].join(', ')}`, `scopes.${i}`);
    }
    const formatted = formatScope(s);
    if (!out.includes(formatted)) out.push(formatted);
  }
  return out;
}

function scopeError(message: string, path: string): AuthError {
  return new AuthError({ kind: 'validation', reasonCode: 'invalid_scope', message: `${path}: ${message}`, fields: [path], issues: [{ path, message, code: 'invalid_scope' }] });
}
