// Subpaths: @gatehouse-auth/testing/sts, /oci, /certs, /ocsp, /conformance. The root re-exports them all.
export * from './sts/index.js';
export * from './oci/index.js';
export * from './certs/index.js';
export * from './ocsp/index.js';
export * from './conformance/index.js';
