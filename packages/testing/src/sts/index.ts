// @gatehouse-auth/testing/sts — an Alibaba Cloud STS emulator that verifies RPC signature v1 for real.
export { createStsEmulator } from './emulator.js';
export type { StsAccessKey, StsEmulator, StsEmulatorOptions, StsFault, StsFaultOptions, ReceivedStsRequest } from './emulator.js';
export { percentEncode, canonicalizedQuery, stringToSign, rpcSignature } from './rpc-signature.js';
export type { StsErrorBody } from './sts-errors.js';
