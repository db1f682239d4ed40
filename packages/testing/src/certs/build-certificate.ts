// Builds one X.509 v3 certificate: forge assembles the TBSCertificate (names, validity, extensions), then the
// subject's SubjectPublicKeyInfo, the issuer Name and the signature AlgorithmIdentifier are swapped in and
// node:crypto signs — the one path that works for RSA, ECDSA and Ed25519 alike.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import {
  EKU_OID,
  extKeyUsageAsn1,
  generalNamesAsn1,
  nameAsn1,
  nameConstraintsAsn1,
  nullAsn1,
  ocspAccessAsn1,
  type GeneralName,
  type NameAttribute,
  type NameConstraintsSpec,
} from './general-names.js';
import { keyIdentifier, signatureAlgorithmAsn1, signedEnvelope, subjectPublicKeyInfoAsn1, type KeyPair } from './keys.js';

export type ExtKeyUsageName = keyof typeof EKU_OID;
export type KeyUsageName = 'digitalSignature' | 'keyEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign';

/** A subject alternative name: `dns`, `ip`, `uri`, `email`, and also `directoryName` and `registeredId`. */
export type SubjectAltName = GeneralName;

export interface SubjectName {
  readonly commonName: string;
  readonly organization?: string;
  /**
   * The whole subject DN, attribute by attribute in this order, instead of `CN=<commonName>, O=<organization>`
   * (`commonName` then only labels the certificate).
   */
  readonly distinguishedName?: readonly NameAttribute[];
}

export interface CertificateSpec {
  readonly subject: SubjectName;
  readonly subjectKeys: KeyPair;
  /** The issuer's subject Name (DER bytes, copied verbatim so names chain byte for byte). Absent: self-signed. */
  readonly issuerName?: forge.asn1.Asn1;
  readonly issuerKeys: KeyPair;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Absent: no basicConstraints extension at all. */
  readonly basicConstraints?: { readonly cA: boolean; readonly pathLen?: number };
  /** Absent or empty: no keyUsage extension. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Absent or empty: no extKeyUsage extension. */
  readonly extKeyUsage?: readonly ExtKeyUsageName[];
  readonly subjectAltNames?: readonly SubjectAltName[];
  readonly nameConstraints?: NameConstraintsSpec;
  /** OCSP responder URLs for the authorityInfoAccess extension. */
  readonly ocspUrls?: readonly string[];
  /** Adds id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1), as delegated OCSP responder certificates carry. */
  readonly ocspNoCheck?: boolean;
}

/** 16 random bytes as a positive, minimally encoded INTEGER (upper-case hex, as X509Certificate prints it). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex').toUpperCase();
}

/** Hex serial → INTEGER contents: positive (a 00 byte when the top bit is set), whole bytes. */
export function serialToIntegerBytes(serial: string): string {
  let hex = serial.replace(/[^0-9a-f]/gi, '').toLowerCase();
  if (hex.length === 0) throw new Error('empty serial');
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 1), 16) >= 8) hex = `00${hex}`;
  return forge.util.hexToBytes(hex);
}

const UTF8 = forge.asn1.Type.UTF8 as number as forge.asn1.Class;

export function nameAttributes(name: SubjectName): forge.pki.CertificateField[] {
  // UTF8String, as RFC 5280 asks (forge's default PrintableString cannot carry '*', '@', '_').
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'CN', value: name.commonName, valueTagClass: UTF8 }];
  if (name.organization !== undefined) attrs.push({ shortName: 'O', value: name.organization, valueTagClass: UTF8 });
  return attrs;
}

function extensions(spec: CertificateSpec): object[] {
  const { asn1 } = forge;
  const exts: object[] = [];
  if (spec.basicConstraints) {
    exts.push({
      name: 'basicConstraints',
      critical: true,
      cA: spec.basicConstraints.cA,
      ...(spec.basicConstraints.pathLen !== undefined ? { pathLenConstraint: spec.basicConstraints.pathLen } : {}),
    });
  }
  if (spec.keyUsage && spec.keyUsage.length > 0) {
    exts.push({ name: 'keyUsage', critical: true, ...Object.fromEntries(spec.keyUsage.map((u) => [u, true])) });
  }
  if (spec.extKeyUsage && spec.extKeyUsage.length > 0) {
    exts.push({ id: '2.5.29.37', value: extKeyUsageAsn1(spec.extKeyUsage.map((u) => EKU_OID[u])) });
  }
  if (spec.subjectAltNames && spec.subjectAltNames.length > 0) {
    exts.push({ id: '2.5.29.17', value: generalNamesAsn1(spec.subjectAltNames) });
  }
  if (spec.nameConstraints) {
    exts.push({ id: '2.5.29.30', critical: spec.nameConstraints.critical ?? true, value: nameConstraintsAsn1(spec.nameConstraints) });
  }
  if (spec.ocspUrls && spec.ocspUrls.length > 0) {
    exts.push({ id: '1.3.6.1.5.5.7.1.1', value: ocspAccessAsn1(spec.ocspUrls) });
  }
  if (spec.ocspNoCheck) exts.push({ id: '1.3.6.1.5.5.7.48.1.5', value: nullAsn1() });
  // Key identifiers are computed here from the node:crypto keys (forge would hash its own RSA key).
  const octets = (bytes: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
  exts.push({ name: 'subjectKeyIdentifier', value: octets(keyIdentifier(spec.subjectKeys.publicKey)) });
  exts.push({
    name: 'authorityKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyIdentifier(spec.issuerKeys.publicKey).toString('binary')),
    ]),
  });
  return exts;
}

// Exists in forge, missing from its type definitions.
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

// TBSCertificate field positions (version is [0], always present for v3).
const TBS_SIGNATURE = 2;
const TBS_ISSUER = 3;
const TBS_SUBJECT_PUBLIC_KEY_INFO = 6;

export function buildCertificate(spec: CertificateSpec): { der: Buffer; subjectName: forge.asn1.Asn1 } {
  const { pki, asn1 } = forge;
  const cert = pki.createCertificate();
  // Placeholder RSA key so forge can lay out the TBSCertificate; the real SPKI replaces it below.
  cert.publicKey = pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
  cert.serialNumber = forge.util.bytesToHex(serialToIntegerBytes(spec.serial));
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subjectAttrs = nameAttributes(spec.subject);
  cert.setSubject(subjectAttrs);
  cert.setIssuer(subjectAttrs);
  cert.setExtensions(extensions(spec));
  cert.siginfo.algorithmOid = '1.2.840.113549.1.1.11';

  const tbs = (pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  if (spec.subject.distinguishedName) fields[5] = nameAsn1(spec.subject.distinguishedName);
  const subjectName = fields[5]!;
  fields[TBS_SIGNATURE] = signatureAlgorithmAsn1(spec.issuerKeys.keyType);
  fields[TBS_ISSUER] = spec.issuerName ? asn1.fromDer(asn1.toDer(spec.issuerName)) : subjectName;
  fields[TBS_SUBJECT_PUBLIC_KEY_INFO] = subjectPublicKeyInfoAsn1(spec.subjectKeys.publicKey);
  return { der: signedEnvelope(tbs, spec.issuerKeys), subjectName };
}
