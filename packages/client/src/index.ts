export * from './verify.js';
export * from './oci.js';
