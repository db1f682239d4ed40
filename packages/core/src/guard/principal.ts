import type { Subject } from '../contract/strategy.js';
import { publicClaimsOf, type VerifiedToken } from '../tokens/issuer.js';

/** Who is calling a resource server, as a verified access token says. */
export interface Principal {
  subject: Subject;
  /** The token's `jti` (its session id: renewals keep it). */
  tokenId: string;
  /** Strategy that logged the subject in, e.g. `alicloud`. */
  authMethod: string;
  expiresAt: Date;
  /** Every claim of the token (public by construction: tokens never carry secrets). */
  claims: Record<string, unknown>;
}

export function principalOf(verified: VerifiedToken): Principal {
  const claims: Record<string, unknown> = { ...verified.claims };
  const own = publicClaimsOf(claims);
  return {
    subject: { ...verified.subject, ...(own ? { claims: own } : {}) },
    tokenId: verified.jti,
    authMethod: verified.authMethod,
    expiresAt: verified.expiresAt,
    claims,
  };
}
