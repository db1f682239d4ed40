export { createGuard, localGuard, guardFrom, bearerToken } from './guard.js';
export type { Guard, GuardOptions, GuardRequest, GuardResult, LocalGuardOptions, GuardSource } from './guard.js';
export { localVerifier } from './verifier.js';
export type { TokenVerifier, LocalVerifierOptions } from './verifier.js';
export { principalOf } from './principal.js';
export type { Principal } from './principal.js';
