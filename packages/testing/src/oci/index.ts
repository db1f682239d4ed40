export { createOciIdentityEmulator } from './emulator.js';
export type {
  OciIdentityEmulator,
  OciIdentityEmulatorOptions,
  OciEmulatorUser,
  OciEmulatorFault,
  RecordedOciRequest,
} from './emulator.js';
export { createOciTestUser, ociKeyFingerprint, randomOcid } from './test-users.js';
export type { OciTestUser } from './test-users.js';
export { ociUserRecord, OCI_ERRORS } from './user-record.js';
export type { OciLifecycleState, OciUserRecordInput } from './user-record.js';
export { parseOciAuthorization, signingString as ociSigningString, verifyRsaSha256 } from './http-signature.js';
export type { OciAuthorization } from './http-signature.js';
