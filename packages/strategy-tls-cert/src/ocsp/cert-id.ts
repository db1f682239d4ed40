// CertID (RFC 6960 §4.1.1): which certificate an OCSP request or answer is about — the hashes of its issuer's
// name and key, and its serial. SHA-1, as every responder must understand (RFC 5019 §2.1.1); answers may use
// SHA-2 too.
import { createHash } from 'node:crypto';
import { CertID } from '@peculiar/asn1-ocsp';
import { OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { KeyObject } from 'node:crypto';
import { bytesOf, children, parseDer, serialHex } from '../der.js';
import type { ParsedCertificate } from '../parse-certificate.js';

export const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The subjectPublicKey BIT STRING contents (what issuerKeyHash and a responder's byKey hash). */
export function publicKeyBits(key: KeyObject): Buffer {
  const [, bits] = children(parseDer(key.export({ type: 'spki', format: 'der' })), 'SubjectPublicKeyInfo');
  return bytesOf(bits, 'subjectPublicKey').subarray(1);
}

export interface CertIdentity {
  /** The CertID to send (SHA-1). */
  certId: CertID;
  serial: string;
  issuerNameDer: Buffer;
  issuerKeyBits: Buffer;
  /** Stable key for caches: the issuer's key and the serial. */
  cacheKey: string;
}

export function certIdentity(cert: ParsedCertificate, issuer: ParsedCertificate): CertIdentity {
  const issuerKeyBits = publicKeyBits(issuer.publicKey);
  const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(sha1(cert.issuerDer)),
    issuerKeyHash: new OctetString(sha1(issuerKeyBits)),
    serialNumber: new Uint8Array(cert.serialBytes).buffer,
  });
  const issuerKey = createHash('sha256').update(issuerKeyBits).digest('base64url');
  return { certId, serial: cert.serial, issuerNameDer: cert.issuerDer, issuerKeyBits, cacheKey: `${issuerKey}:${cert.serial}` };
}

/** Whether an answer's CertID is about this certificate, whatever hash algorithm the responder used. */
export function sameCertificate(answer: CertID, ours: CertIdentity): boolean {
  const hash = HASH_OIDS[answer.hashAlgorithm.algorithm];
  if (!hash) return false;
  if (serialHex(Buffer.from(answer.serialNumber)) !== ours.serial) return false;
  const digest = (data: Buffer) => createHash(hash).update(data).digest();
  return digest(ours.issuerNameDer).equals(Buffer.from(answer.issuerNameHash.buffer)) && digest(ours.issuerKeyBits).equals(Buffer.from(answer.issuerKeyHash.buffer));
}
