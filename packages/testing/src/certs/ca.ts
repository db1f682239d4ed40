// The certificate factory's public face: CAs that issue intermediates, leaves and CRLs.
import { X509Certificate, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';
import {
  buildCertificate,
  randomSerial,
  type ExtKeyUsageName,
  type KeyUsageName,
  type SubjectAltName,
} from './build-certificate.js';
import { buildCrl, type RevokedEntry } from './build-crl.js';
import type { NameAttribute, NameConstraintsSpec } from './general-names.js';
import { generateKeys, privateKeyPem, toPem, type KeyPair, type KeyType } from './keys.js';

const DAY = 24 * 60 * 60 * 1000;

interface CommonOptions {
  readonly commonName: string;
  readonly organization?: string;
  /** The whole subject DN in this order, instead of `CN=<commonName>, O=<organization>`. */
  readonly distinguishedName?: readonly NameAttribute[];
  /** OCSP responder URLs, written to the authorityInfoAccess extension. */
  readonly ocspUrls?: readonly string[];
  /** Default `'ec'` (P-256): fast to generate; `'rsa'` is 2048 bits. */
  readonly keyType?: KeyType;
  /** Default: one day ago (wall clock), so the certificate is valid now. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Hex; default 16 random bytes. */
  readonly serial?: string;
  /** Reuse an existing key pair (e.g. another certificate's) instead of generating one; `keyType` is then ignored. */
  readonly keys?: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
}

export interface CaOptions extends CommonOptions {
  /** basicConstraints pathLenConstraint; absent: unlimited. */
  readonly pathLen?: number;
  /** Default `['keyCertSign', 'cRLSign']`; `[]` leaves the keyUsage extension out. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Default none (CAs usually carry no EKU); set it to make a CA certificate that looks like a client cert. */
  readonly extKeyUsage?: readonly ExtKeyUsageName[];
  /** Permitted / excluded subtrees (RFC 5280 §4.2.1.10); critical unless `critical: false`. */
  readonly nameConstraints?: NameConstraintsSpec;
}

export interface LeafOptions extends CommonOptions {
  /** Default `['clientAuth']`; `[]` leaves the extKeyUsage extension out. */
  readonly extKeyUsage?: readonly ExtKeyUsageName[];
  readonly subjectAltNames?: readonly SubjectAltName[];
  /** Default digitalSignature (+ keyEncipherment for RSA); `[]` leaves the keyUsage extension out. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Default true (critical basicConstraints cA=false); false leaves the extension out. */
  readonly basicConstraints?: boolean;
  /** Adds id-pkix-ocsp-nocheck, as a delegated OCSP responder's certificate (extKeyUsage `OCSPSigning`) carries. */
  readonly ocspNoCheck?: boolean;
}

export interface CrlOptions {
  readonly revoked?: readonly RevokedEntry[];
  /** Default: one hour ago. */
  readonly thisUpdate?: Date;
  /** Default: seven days after thisUpdate. */
  readonly nextUpdate?: Date;
  readonly crlNumber?: number;
}

export interface IssuedCertificate {
  readonly commonName: string;
  readonly keyType: KeyType;
  /** Upper-case hex, exactly `x509.serialNumber`. */
  readonly serial: string;
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  readonly certDer: Buffer;
  /** This certificate followed by every intermediate above it; never the self-signed root (for the root: itself). */
  readonly chainPem: string;
  readonly x509: X509Certificate;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface CertificateAuthority extends IssuedCertificate {
  issueIntermediate(options: CaOptions): Promise<CertificateAuthority>;
  issue(options: LeafOptions): Promise<IssuedCertificate>;
  /** A CRL signed by this CA, PEM (`-----BEGIN X509 CRL-----`). */
  crl(options?: CrlOptions): string;
}

interface Parent {
  readonly keys: KeyPair;
  readonly name: forge.asn1.Asn1;
  /** PEM of the parent and the intermediates above it (empty when the parent is the root). */
  readonly chainAbove: string;
}

async function keysFor(options: CommonOptions): Promise<KeyPair> {
  if (!options.keys) return generateKeys(options.keyType ?? 'ec');
  const type = options.keys.publicKey.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') throw new Error(`unsupported key type: ${String(type)}`);
  return { keyType: type, privateKey: options.keys.privateKey, publicKey: options.keys.publicKey };
}

function windowOf(options: CommonOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = options.notAfter ?? new Date(Math.max(notBefore.getTime(), Date.now()) + defaultDays * DAY);
  return { notBefore, notAfter };
}

function issued(options: CommonOptions, keys: KeyPair, der: Buffer, chainAbove: string): IssuedCertificate {
  const certPem = toPem(der, 'CERTIFICATE');
  const x509 = new X509Certificate(der);
  return {
    commonName: options.commonName,
    keyType: keys.keyType,
    serial: x509.serialNumber,
    certPem,
    keyPem: privateKeyPem(keys),
    certDer: der,
    chainPem: certPem + chainAbove,
    x509,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
}

async function makeCa(options: CaOptions, parent: Parent | undefined): Promise<CertificateAuthority> {
  const keys = await keysFor(options);
  const { notBefore, notAfter } = windowOf(options, 3650);
  const { der, subjectName } = buildCertificate({
    subject: options,
    subjectKeys: keys,
    ...(parent ? { issuerName: parent.name } : {}),
    issuerKeys: parent?.keys ?? keys,
    serial: options.serial ?? randomSerial(),
    notBefore,
    notAfter,
    basicConstraints: { cA: true, ...(options.pathLen !== undefined ? { pathLen: options.pathLen } : {}) },
    keyUsage: options.keyUsage ?? ['keyCertSign', 'cRLSign'],
    extKeyUsage: options.extKeyUsage ?? [],
    ...(options.nameConstraints ? { nameConstraints: options.nameConstraints } : {}),
    ...(options.ocspUrls ? { ocspUrls: options.ocspUrls } : {}),
  });
  const self = issued(options, keys, der, parent?.chainAbove ?? '');
  // Intermediates below this CA present this CA (unless it is the self-signed root) and what is above it.
  const chainForChildren = parent ? self.chainPem : '';
  const asParent: Parent = { keys, name: subjectName, chainAbove: chainForChildren };
  let crlNumber = 0;
  return {
    ...self,
    issueIntermediate: (childOptions) => makeCa(childOptions, asParent),
    issue: (leafOptions) => makeLeaf(leafOptions, asParent),
    crl: (crlOptions = {}) => {
      const thisUpdate = crlOptions.thisUpdate ?? new Date(Date.now() - 60 * 60 * 1000);
      crlNumber += 1;
      return buildCrl({
        issuerName: subjectName,
        issuerKeys: keys,
        revoked: crlOptions.revoked ?? [],
        thisUpdate,
        nextUpdate: crlOptions.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * DAY),
        crlNumber: crlOptions.crlNumber ?? crlNumber,
      }).pem;
    },
  };
}

async function makeLeaf(options: LeafOptions, parent: Parent): Promise<IssuedCertificate> {
  const keys = await keysFor(options);
  const keyType = keys.keyType;
  const { notBefore, notAfter } = windowOf(options, 365);
  const defaultKeyUsage: KeyUsageName[] = keyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const { der } = buildCertificate({
    subject: options,
    subjectKeys: keys,
    issuerName: parent.name,
    issuerKeys: parent.keys,
    serial: options.serial ?? randomSerial(),
    notBefore,
    notAfter,
    ...(options.basicConstraints === false ? {} : { basicConstraints: { cA: false } }),
    keyUsage: options.keyUsage ?? defaultKeyUsage,
    extKeyUsage: options.extKeyUsage ?? ['clientAuth'],
    ...(options.subjectAltNames ? { subjectAltNames: options.subjectAltNames } : {}),
    ...(options.ocspUrls ? { ocspUrls: options.ocspUrls } : {}),
    ...(options.ocspNoCheck ? { ocspNoCheck: true } : {}),
  });
  return issued(options, keys, der, parent.chainAbove);
}

/** A new self-signed root CA. Two calls with the same name give same-subject CAs with different keys (impostors). */
export function createCa(options: CaOptions): Promise<CertificateAuthority> {
  return makeCa(options, undefined);
}
