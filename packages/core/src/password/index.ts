/**
 * Password handling shared by every password strategy (ece-password, idp-mfa): argon2id PHC hashes via
 * `@node-rs/argon2` (prebuilt binaries, no install scripts), rehash-on-login, a real dummy hash for unknown
 * users, username normalisation, lockout counted atomically in the limiter store, the password policy (NIST
 * 800-63B) and the helpers that create users and set passwords.
 */
export { DEFAULT_ARGON2, MAX_PASSWORD_BYTES, hashPassword, verifyPassword, needsRehash } from './argon2.js';
export type { Argon2Params } from './argon2.js';
export { MAX_USERNAME_LENGTH, normaliseUsername, normaliseEmail } from './username.js';
export { DEFAULT_LOCKOUT, LoginLockout, PasswordLockout } from './lockout.js';
export type { LockoutPolicy } from './lockout.js';
export { PasswordChecker, PasswordVerifier } from './checker.js';
export type { PasswordCheckInput, PasswordCheckResult } from './checker.js';
export { MAX_EMAIL_LENGTH, createPasswordUser, setUserPassword } from './users.js';
export { DEFAULT_PASSWORD_POLICY, MIN_PASSWORD_LENGTH_FLOOR, passwordPolicyIssue } from './policy.js';
export type { PasswordPolicy } from './policy.js';
export type { CreatePasswordUserInput, PasswordWriteOptions } from './users.js';
