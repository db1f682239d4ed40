// One certificate, parsed twice: OpenSSL (node:crypto X509Certificate) for the public key and signature checks,
// node-forge's ASN.1 reader for the extensions node does not expose (pathLen, keyUsage bits, EKU, typed SANs,
// key identifiers, criticality).
import { X509Certificate, type KeyObject } from 'node:crypto';
import { ipFromBytes } from './ip.js';
import { isHostnameLike, readNameConstraints, type ConstrainedNames, type NameConstraints } from './name-constraints.js';
import { readGeneralName, readName, type GeneralName } from './names.js';
import {
  bytesOf,
  children,
  DerError,
  encode,
  isContext,
  isUniversal,
  oidOf,
  parseDer,
  serialHex,
  timeOf,
  TYPE,
  type Asn1,
} from './der.js';

export type SanType = 'dns' | 'ip' | 'uri' | 'email';

export interface SubjectAltName {
  type: SanType;
  value: string;
}

export interface ParsedCertificate {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  /** Taken once: X509Certificate#publicKey builds a new KeyObject on every access. */
  readonly publicKey: KeyObject;
  readonly serial: string;
  /** The serialNumber INTEGER contents, as encoded (OCSP CertIDs carry it). */
  readonly serialBytes: Buffer;
  /** DER of the Name fields, compared byte for byte when chaining. */
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  readonly commonNames: string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Absent extension: undefined. */
  readonly basicConstraints: { cA: boolean; pathLen?: number } | undefined;
  /** Absent extension: undefined. */
  readonly keyUsage: { keyCertSign: boolean; cRLSign: boolean; digitalSignature: boolean } | undefined;
  /** Absent extension: undefined. */
  readonly extKeyUsage: string[] | undefined;
  readonly subjectAltNames: SubjectAltName[];
  /** The names name constraints apply to (subject DN, its emailAddress values, every SAN). */
  readonly names: ConstrainedNames;
  /** The nameConstraints extension, critical or not. Absent: undefined. */
  readonly nameConstraints: NameConstraints | undefined;
  /** Subject and issuer are the same name (RFC 5280 "self-issued"): skipped by pathLen and name constraints. */
  readonly selfIssued: boolean;
  /** id-ad-ocsp URIs of the authorityInfoAccess extension, in order. */
  readonly ocspUrls: string[];
  /** id-pkix-ocsp-nocheck is present (a delegated OCSP responder's certificate). */
  readonly ocspNoCheck: boolean;
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** OIDs of critical extensions this verifier does not process. */
  readonly unhandledCritical: string[];
}

export const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

const HANDLED = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.nameConstraints,
  // RFC 5280 and 6960 make these non-critical; read when present, so a critical one is processed, not refused.
  OID.authorityInfoAccess,
  OID.ocspNoCheck,
]);

/** Throws `DerError` (or OpenSSL's error) for anything that is not a well-formed X.509 v3 certificate. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const bytes = Buffer.from(der);
  const x509 = new X509Certificate(bytes);
  const root = parseDer(bytes);
  const [tbs] = children(root, 'Certificate');
  const fields = children(tbs, 'TBSCertificate');
  let i = isContext(fields[0], 0) ? 1 : 0; // version
  const serialNode = fields[i++];
  if (!isUniversal(serialNode, TYPE.INTEGER)) throw new DerError('serialNumber');
  i++; // signature AlgorithmIdentifier
  const issuer = fields[i++];
  const [notBeforeNode, notAfterNode] = children(fields[i++], 'Validity');
  const subject = fields[i++];
  i++; // SubjectPublicKeyInfo
  let extensionsNode: Asn1 | undefined;
  for (; i < fields.length; i++) if (isContext(fields[i], 3)) extensionsNode = children(fields[i], 'extensions')[0];

  const subjectName = readName(assertName(subject), 'subject');
  const subjectDer = encode(subject!);
  const issuerDer = encode(assertName(issuer));
  const parsed: Mutable<ParsedCertificate> = {
    der: bytes,
    x509,
    publicKey: x509.publicKey,
    serial: serialHex(bytesOf(serialNode, 'serialNumber')),
    serialBytes: bytesOf(serialNode, 'serialNumber'),
    subjectDer,
    issuerDer,
    commonNames: commonNamesOf(subject!),
    notBefore: timeOf(notBeforeNode, 'notBefore'),
    notAfter: timeOf(notAfterNode, 'notAfter'),
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    subjectAltNames: [],
    names: { subject: subjectName.dn, subjectEmails: subjectName.emails, altNames: [], commonNameHosts: [] },
    nameConstraints: undefined,
    selfIssued: subjectDer.equals(issuerDer),
    ocspUrls: [],
    ocspNoCheck: false,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    unhandledCritical: [],
  };
  const seen = new Set<string>();
  for (const ext of extensionsNode ? children(extensionsNode, 'Extensions') : []) {
    const parts = children(ext, 'Extension');
    const oid = oidOf(parts[0], 'extnID');
    if (seen.has(oid)) throw new DerError(`duplicate extension ${oid}`); // RFC 5280 §4.2
    seen.add(oid);
    const critical = isUniversal(parts[1], TYPE.BOOLEAN) && bytesOf(parts[1], 'critical')[0] !== 0;
    const valueNode = parts[parts.length - 1];
    if (!isUniversal(valueNode, TYPE.OCTETSTRING)) throw new DerError('extnValue');
    const value = bytesOf(valueNode, 'extnValue');
    if (!HANDLED.has(oid)) {
      if (critical) parsed.unhandledCritical.push(oid);
      continue;
    }
    const inner = parseDer(value);
    switch (oid) {
      case OID.basicConstraints:
        parsed.basicConstraints = basicConstraintsOf(inner);
        break;
      case OID.keyUsage:
        parsed.keyUsage = keyUsageOf(inner);
        break;
      case OID.extKeyUsage:
        parsed.extKeyUsage = children(inner, 'extKeyUsage').map((n) => oidOf(n, 'KeyPurposeId'));
        break;
      case OID.subjectAltName: {
        const all = children(inner, 'subjectAltName').map(readGeneralName);
        parsed.names.altNames = all;
        parsed.subjectAltNames = matchableAltNames(all);
        break;
      }
      case OID.nameConstraints:
        parsed.nameConstraints = readNameConstraints(inner);
        break;
      case OID.authorityInfoAccess:
        parsed.ocspUrls = ocspUrlsOf(inner);
        break;
      case OID.ocspNoCheck:
        parsed.ocspNoCheck = true;
        break;
      case OID.subjectKeyIdentifier:
        parsed.subjectKeyId = bytesOf(inner, 'subjectKeyIdentifier').toString('hex');
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = children(inner, 'authorityKeyIdentifier').find((n) => isContext(n, 0));
        if (keyId) parsed.authorityKeyId = bytesOf(keyId, 'keyIdentifier').toString('hex');
        break;
      }
    }
  }
  // OpenSSL's rule: a leaf without dNSName SANs is held to DNS constraints by its hostname-like CNs.
  if (!parsed.names.altNames.some((n) => n.type === 'dns')) parsed.names.commonNameHosts = parsed.commonNames.filter(isHostnameLike);
  return parsed;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function assertName(node: Asn1 | undefined): Asn1 {
  children(node, 'Name'); // must be a SEQUENCE of RDNs
  return node!;
}

function commonNamesOf(name: Asn1): string[] {
  const names: string[] = [];
  for (const rdn of children(name, 'Name')) {
    for (const atv of children(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = children(atv, 'AttributeTypeAndValue');
      if (oidOf(type, 'AttributeType') !== OID.commonName) continue;
      if (!value || typeof value.value !== 'string') throw new DerError('commonName');
      // forge already decodes BMPString to text; UTF8String is UTF-8; the ASCII types read as latin1.
      if (value.type === TYPE.BMPSTRING) names.push(value.value);
      else names.push(Buffer.from(value.value, 'binary').toString(value.type === TYPE.UTF8 ? 'utf8' : 'latin1'));
    }
  }
  return names;
}

function basicConstraintsOf(node: Asn1): { cA: boolean; pathLen?: number } {
  const parts = children(node, 'basicConstraints');
  let cA = false;
  let pathLen: number | undefined;
  for (const part of parts) {
    if (isUniversal(part, TYPE.BOOLEAN)) cA = bytesOf(part, 'cA')[0] !== 0;
    else if (isUniversal(part, TYPE.INTEGER)) {
      const raw = bytesOf(part, 'pathLenConstraint');
      if (raw.length > 4 || (raw[0]! & 0x80) !== 0) throw new DerError('pathLenConstraint out of range');
      pathLen = raw.reduce((n, b) => n * 256 + b, 0);
    } else throw new DerError('basicConstraints');
  }
  return pathLen === undefined ? { cA } : { cA, pathLen };
}

function keyUsageOf(node: Asn1): { keyCertSign: boolean; cRLSign: boolean; digitalSignature: boolean } {
  if (!isUniversal(node, TYPE.BITSTRING)) throw new DerError('keyUsage');
  const raw = bytesOf(node, 'keyUsage'); // [unused-bit count, bits…], bit 0 is the most significant
  const first = raw[1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0, cRLSign: (first & 0x02) !== 0 };
}

/** The SANs the identity allow-lists can match: DNS, IP (4 or 16 bytes), URI and email. */
function matchableAltNames(names: readonly GeneralName[]): SubjectAltName[] {
  const out: SubjectAltName[] = [];
  for (const name of names) {
    if (name.type === 'ip') {
      const ip = ipFromBytes(name.bytes);
      if (ip) out.push({ type: 'ip', value: ip });
    } else if (name.type === 'dns' || name.type === 'uri' || name.type === 'email') {
      out.push({ type: name.type, value: name.value });
    }
  }
  return out;
}

function ocspUrlsOf(node: Asn1): string[] {
  const urls: string[] = [];
  for (const description of children(node, 'AuthorityInfoAccessSyntax')) {
    const [method, location] = children(description, 'AccessDescription');
    if (oidOf(method, 'accessMethod') !== OID.accessOcsp || !location) continue;
    const name = readGeneralName(location);
    if (name.type === 'uri') urls.push(name.value);
  }
  return urls;
}
