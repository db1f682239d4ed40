// DPoP (RFC 9449) proof verification and the thumbprints token binding compares. Depends on jose and
// node:crypto only, so resource servers (`@gatehouse-auth/client`) use the same checks as the core.
export { verifyDpopProof, singleProof, algsParameter, DEFAULT_DPOP_POLICY, DPOP_ALGORITHMS } from './proof.js';
export type { DpopAlgorithm, DpopPolicy, ProofExpectation, ProofChecks, VerifiedDpopProof } from './proof.js';
export { DpopProofError } from './errors.js';
export type { DpopErrorCode } from './errors.js';
export { normalizeHtu } from './htu.js';
export { jwkThumbprint, certificateThumbprint, accessTokenHash, sameValue } from './thumbprints.js';
export { DpopNonces } from './nonce.js';
export type { DpopNonceOptions } from './nonce.js';
export { checkTokenBinding, bindingChallenge, confirmationOf, BindingRefusal } from './binding-check.js';
export type { TokenPresentation } from './binding-check.js';
