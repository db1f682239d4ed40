// @gatehouse-auth/testing/certs — the certificate factory: CAs, intermediates, leaves and CRLs for tests.
export { createCa } from './ca.js';
export type { CaOptions, CertificateAuthority, CrlOptions, IssuedCertificate, LeafOptions } from './ca.js';
export type { ExtKeyUsageName, KeyUsageName, SubjectAltName } from './build-certificate.js';
export type { RevokedEntry } from './build-crl.js';
export type { GeneralName, NameAttribute, NameConstraintsSpec } from './general-names.js';
export type { KeyType } from './keys.js';
