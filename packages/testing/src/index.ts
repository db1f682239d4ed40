// Subpaths: @gatehouse-auth/testing/sts, /oci, /certs, /conformance. The root re-exports them all.
export * from './sts/index.js';
export * from './oci/index.js';
export * from './certs/index.js';
export * from './conformance/index.js';
