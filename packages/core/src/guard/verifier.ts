import type { Gatehouse } from '../runtime/container.js';
import type { StatefulCheck, TokenIssuer } from '../tokens/issuer.js';
import { principalOf, type Principal } from './principal.js';
import type { Presentation } from '../binding/token-binding.js';

/** Turns a token into a principal, or throws an `AuthError` (unauthenticated / forbidden). */
export interface TokenVerifier {
  /**
   * `presentation`: how the token arrived (scheme, DPoP proof, client certificate), checked against its
   * `cnf`. A verifier must refuse a bound token it cannot check (no presentation).
   */
  verify(token: string, context: { clientIp: string; presentation?: Presentation }): Promise<Principal>;
}

export interface LocalVerifierOptions {
  /**
   * `check` (default): signature, claims and the server-side session (revocation, expiry after renewal)
   * without counting a use. `consume`: also counts one use, so `accessTokenNumUsesLimit` applies, as an
   * RFC 7662 introspection would. `none`: offline, signature and claims only (a revoked token still passes
   * until it expires).
   */
  stateful?: StatefulCheck;
}

/** Verifies with the Gatehouse's own issuer and stores: for a resource server in the same process. */
export function localVerifier(source: Pick<Gatehouse, 'issuer'> | TokenIssuer, options: LocalVerifierOptions = {}): TokenVerifier {
  const issuer = 'issuer' in source ? source.issuer : source;
  const stateful = options.stateful ?? 'check';
  return {
    async verify(token, { clientIp, presentation }) {
      return principalOf(await issuer.verify(token, { clientIp, stateful, presentation }));
    },
  };
}
