// Keys come from node:crypto (fast, every key type); node-forge only knows RSA keys, so certificates and CRLs
// carry the SubjectPublicKeyInfo DER from node:crypto and are signed by node:crypto.
import { createHash, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export type KeyType = 'rsa' | 'ec' | 'ed25519';

export interface KeyPair {
  readonly keyType: KeyType;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const generateKeyPairAsync = promisify(generateKeyPair);

export async function generateKeys(keyType: KeyType): Promise<KeyPair> {
  switch (keyType) {
    case 'rsa': {
      const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
      return { keyType, privateKey, publicKey };
    }
    case 'ec': {
      const { privateKey, publicKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
      return { keyType, privateKey, publicKey };
    }
    case 'ed25519': {
      const { privateKey, publicKey } = await generateKeyPairAsync('ed25519');
      return { keyType, privateKey, publicKey };
    }
    default:
      throw new Error(`unsupported key type: ${String(keyType)}`);
  }
}

/** The SubjectPublicKeyInfo of a key as forge ASN.1, ready to drop into a TBSCertificate. */
export function subjectPublicKeyInfoAsn1(publicKey: KeyObject): forge.asn1.Asn1 {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // decodeBitStrings false: keep the key bits as opaque bytes (forge would otherwise try to parse them as ASN.1).
  const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: object) => forge.asn1.Asn1;
  return fromDer(forge.util.createBuffer(der.toString('binary')), { decodeBitStrings: false });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING (without the unused-bits byte). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = subjectPublicKeyInfoAsn1(publicKey);
  const bitString = (spki.value as forge.asn1.Asn1[])[1];
  if (!bitString || typeof bitString.value !== 'string') throw new Error('unexpected SubjectPublicKeyInfo shape');
  return createHash('sha1').update(Buffer.from(bitString.value.slice(1), 'binary')).digest();
}

/** AlgorithmIdentifier for the signature a key of this type makes (sha256 for RSA and ECDSA). */
export function signatureAlgorithmAsn1(keyType: KeyType): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const oid = (value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
  switch (keyType) {
    case 'rsa': // sha256WithRSAEncryption, parameters NULL
      return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        oid('1.2.840.113549.1.1.11'),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]);
    case 'ec': // ecdsa-with-SHA256, parameters absent (RFC 5758)
      return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid('1.2.840.10045.4.3.2')]);
    case 'ed25519': // id-Ed25519, parameters absent (RFC 8410)
      return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid('1.3.101.112')]);
    default:
      throw new Error(`unsupported key type: ${String(keyType)}`);
  }
}

export function signWith(keys: KeyPair, data: Buffer): Buffer {
  return sign(keys.keyType === 'ed25519' ? null : 'sha256', data, keys.privateKey);
}

/** SEQUENCE { tbs, algorithm, BIT STRING signature }: the outer shape of both Certificate and CertificateList. */
export function signedEnvelope(tbs: forge.asn1.Asn1, signer: KeyPair): Buffer {
  const { asn1 } = forge;
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = signWith(signer, tbsDer);
  const envelope = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithmAsn1(signer.keyType),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return Buffer.from(asn1.toDer(envelope).getBytes(), 'binary');
}

export function toPem(der: Buffer, label: string): string {
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

export function privateKeyPem(keys: KeyPair): string {
  return keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
