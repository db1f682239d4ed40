/**
 * Sender-constrained tokens, enforced once for every place a token is accepted (guards, renew, revoke,
 * `requirePrincipal`) and bound once for every login (the pipeline): DPoP (RFC 9449, `cnf.jkt`) and
 * certificate-bound tokens (RFC 8705, `cnf["x5t#S256"]`). Refusals are 401s with the challenge the RFCs name:
 * `WWW-Authenticate: DPoP error="invalid_dpop_proof" | "invalid_token" | "use_dpop_nonce"` (RFC 9449 §7.1, §9)
 * or `Bearer error="invalid_token"` (RFC 6750 §3, RFC 8705 §3).
 */
import { BindingRefusal, bindingChallenge, checkTokenBinding, confirmationOf, type TokenPresentation } from '../dpop/binding-check.js';
import { DpopProofError, type DpopErrorCode } from '../dpop/errors.js';
import { DEFAULT_DPOP_POLICY, verifyDpopProof, type DpopPolicy } from '../dpop/proof.js';
import { DpopNonces } from '../dpop/nonce.js';
import { AuthError } from '../errors/auth-error.js';
import type { Clock } from '../runtime/clock.js';
import type { ReplayStore } from '../stores/ports.js';

/** How a token reached the server, and what came with it (scheme, method, URLs, DPoP proof, client certificate). */
export type Presentation = TokenPresentation;

/** The `cnf` claim (RFC 7800) of a bound token. */
export interface Confirmation {
  jkt?: string;
  'x5t#S256'?: string;
}

export interface TokenBindingOptions {
  /** Proof algorithms and freshness. */
  dpop?: Partial<DpopPolicy>;
  /** Server nonces (RFC 9449 §8–9): every proof must carry a recent one. Off when undefined. */
  nonce?: { secret: string; lifetimeSeconds?: number };
}

const REPLAY_NAMESPACE = 'dpop-jti';

export class TokenBinding {
  readonly policy: DpopPolicy;
  readonly #nonces: DpopNonces | undefined;

  constructor(
    private readonly replay: ReplayStore,
    private readonly clock: Clock,
    options: TokenBindingOptions = {},
  ) {
    this.policy = { ...DEFAULT_DPOP_POLICY, ...options.dpop };
    if (!this.policy.algorithms.length) throw new Error('tokenBinding.dpop.algorithms: at least one algorithm');
    this.#nonces = options.nonce ? new DpopNonces(options.nonce) : undefined;
  }

  /** A fresh `DPoP-Nonce` value, when nonces are on. */
  nonce(): string | undefined {
    return this.#nonces?.issue(this.clock.now());
  }

  /**
   * At login: the thumbprint of a valid proof, or undefined when the request carries none. A proof that is
   * there but fails is a 400 naming the `DPoP` header (RFC 9449 §5: `invalid_dpop_proof`, `use_dpop_nonce`).
   */
  async loginProof(presentation: Presentation): Promise<string | undefined> {
    if (presentation.dpop === undefined) return undefined;
    try {
      const proof = await verifyDpopProof(presentation.dpop, { method: presentation.method, urls: presentation.urls }, this.policy, this.#checks());
      return proof.jkt;
    } catch (err) {
      if (err instanceof DpopProofError) throw this.#loginRefusal(err.reasonCode, err.error);
      throw err;
    }
  }

  /** The identity asks for DPoP and the login carried no proof. */
  dpopRequired(): AuthError {
    return this.#loginRefusal('dpop_required', 'invalid_dpop_proof', 'This identity requires a DPoP proof (DPoP header)');
  }

  /**
   * On every use of a token: a DPoP-bound token needs `Authorization: DPoP` (or a body field) and a proof
   * of its key over this request and this token; a certificate-bound one needs the same certificate.
   * `presentation` undefined means the caller cannot say how the token arrived: bound tokens are refused.
   */
  async enforce(token: string, cnf: unknown, presentation: Presentation | undefined): Promise<void> {
    try {
      await checkTokenBinding(token, cnf, presentation, this.policy, this.#checks());
    } catch (err) {
      if (err instanceof BindingRefusal) throw this.#refusal(err.reasonCode, err.error, err.scheme);
      throw err;
    }
  }

  /**
   * `enforce(token, cnf, undefined)` decided synchronously (no proof to check, so no replay claim): a bound
   * token without a presentation is refused, with the same challenge.
   */
  refuseUnpresented(cnf: unknown): void {
    const bound = confirmationOf(cnf);
    if (!bound.jkt && !bound['x5t#S256']) return;
    throw this.#refusal('token_binding_unverifiable', 'invalid_token', bound.jkt ? 'DPoP' : 'Bearer');
  }

  #checks() {
    const now = this.clock.now();
    return {
      now,
      claim: (key: string, expiresAt: Date) => this.replay.claim(REPLAY_NAMESPACE, key, expiresAt, now),
      nonce: this.#nonces,
    };
  }

  #headers(error: DpopErrorCode, scheme: 'DPoP' | 'Bearer'): Record<string, string> {
    const headers: Record<string, string> = {
      'www-authenticate': bindingChallenge({ error, scheme }, this.policy),
    };
    const nonce = error === 'use_dpop_nonce' ? this.nonce() : undefined;
    if (nonce) headers['dpop-nonce'] = nonce;
    return headers;
  }

  #refusal(reasonCode: string, error: DpopErrorCode, scheme: 'DPoP' | 'Bearer'): AuthError {
    const message = error === 'use_dpop_nonce' ? 'A fresh DPoP nonce is required' : error === 'invalid_dpop_proof' ? 'Invalid DPoP proof' : 'Invalid or expired token';
    return new AuthError({ kind: 'unauthenticated', reasonCode, message, headers: this.#headers(error, scheme) });
  }

  #loginRefusal(reasonCode: string, error: DpopErrorCode, message?: string): AuthError {
    return new AuthError({
      kind: 'bad_request',
      reasonCode,
      message: message ?? (error === 'use_dpop_nonce' ? 'A fresh DPoP nonce is required (DPoP-Nonce header)' : 'Invalid DPoP proof'),
      fields: ['DPoP'],
      headers: this.#headers(error === 'invalid_token' ? 'invalid_dpop_proof' : error, 'DPoP'),
    });
  }
}

export { confirmationOf };
