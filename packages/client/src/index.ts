export * from './verify.js';
export * from './alicloud.js';
export * from './oci.js';
export * from './tls.js';
export * from './token-login.js';
export * from './dpop.js';
