/**
 * A refused DPoP proof. `error` is the RFC 9449 error code a server answers with (`WWW-Authenticate: DPoP
 * error="…"`): `invalid_dpop_proof` for the proof itself, `use_dpop_nonce` when a fresh server nonce is needed,
 * `invalid_token` when a valid proof is signed by another key than the one the token is bound to.
 * `reasonCode` is internal (audit log), never sent to a client.
 */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';

const MESSAGES: Record<DpopErrorCode, string> = {
  invalid_dpop_proof: 'Invalid DPoP proof',
  use_dpop_nonce: 'Use the DPoP nonce the server sent in the DPoP-Nonce header',
  invalid_token: 'Invalid DPoP key binding',
};

export class DpopProofError extends Error {
  override readonly name = 'DpopProofError';
  constructor(
    readonly reasonCode: string,
    readonly error: DpopErrorCode = 'invalid_dpop_proof',
  ) {
    super(MESSAGES[error]);
  }
}
