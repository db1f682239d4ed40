/**
 * The decision every verifier makes about a token's `cnf` claim, in one place: the core's issuer and guards
 * and `@gatehouse-auth/client`'s remote verifier wrap its refusal in their own error types.
 *
 * - An unbound token presented with `Authorization: DPoP` is refused (`invalid_token`).
 * - A certificate-bound token (RFC 8705 §3) needs the same client certificate on this connection.
 * - A DPoP-bound token (RFC 9449 §7) is refused as a Bearer token (§7.2) and otherwise needs a proof of its
 *   key over this request and this token (`ath`), fresh and unused.
 * - Without a presentation (the caller cannot say how the token arrived), a bound token is refused.
 */
import { DpopProofError, type DpopErrorCode } from './errors.js';
import { verifyDpopProof, type DpopPolicy, type ProofChecks } from './proof.js';
import { certificateThumbprint, sameValue } from './thumbprints.js';

/** How a token arrived with a request. */
export interface TokenPresentation {
  /** `Bearer`/`DPoP`: the Authorization scheme; `body`: a request field (renew, revoke); `cookie`. */
  scheme: 'Bearer' | 'DPoP' | 'body' | 'cookie';
  method: string;
  /** The URLs the request may have been addressed to (a proof's `htu` must be one). */
  urls: string[];
  /** The `DPoP` header as received. */
  dpop: string | string[] | undefined;
  /** DER of the client certificate of the connection (or of a trusted proxy's header). */
  clientCertificate?: Uint8Array;
}

/** A refused presentation: the RFC error code, the challenge scheme to answer with, an internal reason. */
export class BindingRefusal extends Error {
  override readonly name = 'BindingRefusal';
  constructor(
    readonly reasonCode: string,
    readonly error: DpopErrorCode,
    readonly scheme: 'DPoP' | 'Bearer',
  ) {
    super(error === 'invalid_dpop_proof' ? 'Invalid DPoP proof' : error === 'use_dpop_nonce' ? 'A fresh DPoP nonce is required' : 'Invalid or expired token');
  }
}

/** The `cnf` members Gatehouse binds with, read defensively from a verified token's claims. */
export function confirmationOf(cnf: unknown): { jkt?: string; 'x5t#S256'?: string } {
  if (!cnf || typeof cnf !== 'object') return {};
  const c = cnf as Record<string, unknown>;
  return {
    ...(typeof c.jkt === 'string' ? { jkt: c.jkt } : {}),
    ...(typeof c['x5t#S256'] === 'string' ? { 'x5t#S256': c['x5t#S256'] } : {}),
  };
}

export async function checkTokenBinding(token: string, cnf: unknown, presentation: TokenPresentation | undefined, policy: DpopPolicy, checks: ProofChecks): Promise<void> {
  const bound = confirmationOf(cnf);
  if (!bound.jkt && presentation?.scheme === 'DPoP') throw new BindingRefusal('dpop_scheme_unbound_token', 'invalid_token', 'DPoP');
  if (!bound.jkt && !bound['x5t#S256']) return;
  const scheme = bound.jkt ? 'DPoP' : 'Bearer';
  if (!presentation) throw new BindingRefusal('token_binding_unverifiable', 'invalid_token', scheme);
  const x5t = bound['x5t#S256'];
  if (x5t !== undefined) {
    const cert = presentation.clientCertificate;
    if (!cert || !sameValue(certificateThumbprint(cert), x5t)) {
      throw new BindingRefusal(cert ? 'certificate_binding_mismatch' : 'certificate_binding_missing', 'invalid_token', scheme);
    }
  }
  if (bound.jkt === undefined) return;
  if (presentation.scheme === 'Bearer') throw new BindingRefusal('dpop_token_as_bearer', 'invalid_token', 'DPoP');
  try {
    await verifyDpopProof(presentation.dpop, { method: presentation.method, urls: presentation.urls, accessToken: token, jkt: bound.jkt }, policy, checks);
  } catch (err) {
    if (err instanceof DpopProofError) throw new BindingRefusal(err.reasonCode, err.error, 'DPoP');
    throw err;
  }
}

/** The `WWW-Authenticate` value for a refusal (RFC 9449 §7.1, RFC 6750 §3). */
export function bindingChallenge(refusal: Pick<BindingRefusal, 'error' | 'scheme'>, policy: Pick<DpopPolicy, 'algorithms'>): string {
  return refusal.scheme === 'DPoP' ? `DPoP error="${refusal.error}", algs="${policy.algorithms.join(' ')}"` : `Bearer error="${refusal.error}"`;
}
