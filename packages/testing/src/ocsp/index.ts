// @gatehouse-auth/testing/ocsp — an OCSP responder (RFC 6960) that signs its answers for real.
export { createOcspResponder } from './responder.js';
export type { OcspBehaviour, OcspIssuer, OcspResponder, OcspResponderOptions, ReceivedOcspRequest } from './responder.js';
