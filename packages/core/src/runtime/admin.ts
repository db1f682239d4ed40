import type { Strategy } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import { parseWith } from '../pipeline/validation.js';
import type { Identity, IdentityMethod, Stores } from '../stores/ports.js';
import type { TokenIssuer } from '../tokens/issuer.js';
import { tokenSettingsSchema, type TokenSettingsInput } from '../tokens/settings.js';
import type { Clock } from './clock.js';

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

  /** Validates `config` with the strategy's `configSchema` and `token` with the token settings schema, then stores both. */
  async attachMethod(identityId: string, method: string, config: unknown, token: TokenSettingsInput = {}): Promise<IdentityMethod> {
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
    return this.stores.identities.putMethod({ identityId, method, config: parsedConfig, token: parsedToken }, this.clock.now());
  }

  detachMethod(identityId: string, method: string): Promise<boolean> {
    return this.stores.identities.removeMethod(identityId, method);
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
}
