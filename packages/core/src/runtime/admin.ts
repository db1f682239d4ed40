import type { Strategy } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import { parseWith } from '../pipeline/validation.js';
import type { AdminCredential, Identity, IdentityMethod, Stores } from '../stores/ports.js';
import type { TokenIssuer } from '../tokens/issuer.js';
import { subjectKeyOf } from '../tokens/issuer.js';
import { tokenSettingsSchema, type TokenSettingsInput } from '../tokens/settings.js';
import { normaliseScopes } from '../admin-api/scopes.js';
import { generateAdminToken, hashAdminToken, isWellFormedAdminToken } from '../admin-api/token-format.js';
import type { Clock } from './clock.js';

/** How many times a method update re-reads and re-applies its change when another write got in first. */
const UPDATE_ATTEMPTS = 8;
/** Ten years: the longest an admin credential may live. */
const MAX_CREDENTIAL_SECONDS = 315_360_000;

export interface NewAdminCredentialInput {
  name: string;
  /** `<resource>:<read|write>` (docs/admin-api.md); validated against this Gatehouse's resources. */
  scopes: string[];
  /** Seconds from now until it expires; none when omitted. */
  expiresInSeconds?: number;
  id?: string;
  /** Use this token instead of a new random one (demo mode keeps its token across restarts). Must be well formed. */
  token?: string;
}

/**
 * Writes configuration. Every method config is validated by its strategy's schema *when written*, so bad
 * data (a malformed CIDR, CA PEM or ARN) is refused with the offending field named, never at login time.
 */
export class GatehouseAdmin {
  constructor(
    private readonly stores: Stores,
    private readonly strategies: Strategy<unknown, unknown>[],
    private readonly clock: Clock,
    private readonly issuer: TokenIssuer,
  ) {}

  createIdentity(input: { id?: string; name: string; organizationSlug?: string | null }): Promise<Identity> {
    if (!input.name || input.name.length > 256) throw new AuthError({ kind: 'validation', reasonCode: 'invalid_identity', message: 'name: required, at most 256 characters', fields: ['name'], issues: [{ path: 'name', message: 'required, at most 256 characters', code: 'invalid' }] });
    return this.stores.identities.create(input, this.clock.now());
  }

  /** Deletes the identity with its methods and revokes every token issued to it. False when it did not exist. */
  async deleteIdentity(identityId: string): Promise<boolean> {
    const deleted = await this.stores.identities.delete(identityId);
    if (deleted) await this.revokeIdentityTokens(identityId);
    return deleted;
  }

  /** Validates config and token settings as they would be stored (see `attachMethod`), without storing them. */
  validateMethod(method: string, config: unknown, token: TokenSettingsInput = {}) {
    const strategy = this.strategies.find((s) => s.id === method);
    if (!strategy) throw new AuthError({ kind: 'not_found', reasonCode: 'unknown_method', message: `No strategy "${method}" is registered` });
    const parsedConfig = strategy.configSchema ? parseWith(strategy.configSchema, config, 'config') : config;
    const parsedToken = parseWith(tokenSettingsSchema, token, 'token');
    if (parsedToken.accessTokenCertificateBound && !strategy.clientCertificates) {
      const message = `${method} logins present no client certificate to bind tokens to (RFC 8705 needs a certificate login, e.g. tls-cert)`;
      throw new AuthError({
        kind: 'validation',
        reasonCode: 'certificate_binding_unsupported',
        message: `token.accessTokenCertificateBound: ${message}`,
        fields: ['token.accessTokenCertificateBound'],
        issues: [{ path: 'token.accessTokenCertificateBound', message, code: 'unsupported' }],
      });
    }
    return { config: parsedConfig, token: parsedToken };
  }

  /**
   * Validates `config` with the strategy's `configSchema` and `token` with the token settings schema, then stores
   * both (replacing what was there). With `ifAbsent`, only while the identity has no such method:
   * `method_already_attached` otherwise, decided atomically by the store.
   */
  async attachMethod(identityId: string, method: string, config: unknown, token: TokenSettingsInput = {}, options: { ifAbsent?: boolean } = {}): Promise<IdentityMethod> {
    const parsed = this.validateMethod(method, config, token);
    const input = { identityId, method, config: parsed.config, token: parsed.token };
    if (!options.ifAbsent) return this.stores.identities.putMethod(input, this.clock.now());
    const added = await this.stores.identities.addMethod(input, this.clock.now());
    if (!added) throw new AuthError({ kind: 'bad_request', reasonCode: 'method_already_attached', message: `The identity already has ${method} attached; update it instead` });
    return added;
  }

  /**
   * Changes a stored method: `change` gets what is stored and returns the new config and token input, validated as
   * in `attachMethod`. The write is a compare-and-swap on what was read, re-run when another write got in between,
   * so concurrent updates never undo each other and a removed method is never brought back (not_found instead).
   */
  async updateMethod(
    identityId: string,
    method: string,
    change: (current: IdentityMethod) => { config: unknown; token: TokenSettingsInput },
  ): Promise<IdentityMethod> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.stores.identities.getMethod(identityId, method);
      if (!current) throw new AuthError({ kind: 'not_found', reasonCode: 'identity_method_not_found', message: `The identity does not have ${method} attached` });
      const next = change(current);
      const parsed = this.validateMethod(method, next.config, next.token);
      const stored = await this.stores.identities.replaceMethod({ identityId, method, config: parsed.config, token: parsed.token }, this.clock.now(), current.updatedAt);
      if (stored) return stored;
    }
    throw new AuthError({ kind: 'unavailable', reasonCode: 'update_contention', message: 'The method kept changing while it was updated; try again', retryAfter: 1 });
  }

  /**
   * Removes a login method from an identity and revokes every token that method issued to it (other methods'
   * tokens stay). Returns false when the identity had no such method.
   */
  async detachMethod(identityId: string, method: string): Promise<boolean> {
    const removed = await this.stores.identities.removeMethod(identityId, method);
    if (removed) await this.stores.tokens.revokeSubjectMethod(subjectKeyOf({ type: 'identity', id: identityId }), method, this.clock.now());
    return removed;
  }

  /** Revokes every token issued to the identity so far. */
  revokeIdentityTokens(identityId: string): Promise<void> {
    return this.issuer.revokeSubject({ type: 'identity', id: identityId });
  }

  revokeUserTokens(userId: string): Promise<void> {
    return this.issuer.revokeSubject({ type: 'user', id: userId });
  }

  rotateSigningKey(): Promise<string> {
    return this.issuer.rotateKeys();
  }

  /** The resources admin scopes may name here: identities, users and each machine method's API name. */
  adminResources(): string[] {
    return ['identities', 'users', ...this.strategies.flatMap((s) => (s.admin ? [s.admin.segment] : []))];
  }

  /**
   * Makes an admin credential. The token is returned once and never stored (only its SHA-256); scopes are checked
   * against `adminResources()`. Errors name the field (`name`, `scopes.1`, `expiresInSeconds`).
   */
  async createAdminCredential(input: NewAdminCredentialInput): Promise<{ credential: AdminCredential; token: string }> {
    const invalid = (field: string, message: string) =>
      new AuthError({ kind: 'validation', reasonCode: 'invalid_admin_credential', message: `${field}: ${message}`, fields: [field], issues: [{ path: field, message, code: 'invalid' }] });
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > 256) throw invalid('name', 'required, at most 256 characters');
    const scopes = normaliseScopes(input.scopes ?? [], this.adminResources());
    const seconds = input.expiresInSeconds;
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0 && seconds <= MAX_CREDENTIAL_SECONDS)) {
      throw invalid('expiresInSeconds', `must be a whole number of seconds from 1 to ${MAX_CREDENTIAL_SECONDS}`);
    }
    if (input.token !== undefined && !isWellFormedAdminToken(input.token)) throw invalid('token', 'is not a well-formed admin token (gha_…)');
    const token = input.token ?? generateAdminToken();
    const now = this.clock.now();
    const credential = await this.stores.adminCredentials.create(
      {
        ...(input.id !== undefined ? { id: input.id } : {}),
        name,
        tokenHash: hashAdminToken(token),
        scopes,
        expiresAt: seconds === undefined ? null : new Date(now.getTime() + seconds * 1000),
      },
      now,
    );
    return { credential, token };
  }

  listAdminCredentials(): Promise<AdminCredential[]> {
    return this.stores.adminCredentials.list();
  }

  /** True when it was live and is revoked now; false when unknown or already revoked. Effective at the next request. */
  revokeAdminCredential(id: string): Promise<boolean> {
    return this.stores.adminCredentials.revoke(id, this.clock.now());
  }
}
