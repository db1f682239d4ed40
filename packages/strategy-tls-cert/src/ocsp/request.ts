// OCSPRequest (RFC 6960 §4.1): one certificate per request, an optional nonce (RFC 8954: 1–32 octets, here 32)
// and, when the responder needs it, a signature by the configured requestor with its certificate attached.
import type { X509Certificate} from 'node:crypto';
import { sign, type KeyObject } from 'node:crypto';
import { id_pkix_ocsp_nonce, OCSPRequest, Request, Signature, TBSRequest } from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, GeneralName, Name } from '@peculiar/asn1-x509';
import type { CertIdentity } from './cert-id.js';

export interface RequestSigner {
  certificate: X509Certificate;
  privateKey: KeyObject;
}

/** The AlgorithmIdentifier and node:crypto digest a key signs with (SHA-256 for RSA and ECDSA). */
function signatureAlgorithm(key: KeyObject): { id: AlgorithmIdentifier; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }), digest: 'sha256' };
    case 'ec':
      return { id: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), digest: 'sha256' };
    case 'ed25519':
      return { id: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), digest: null };
    default:
      throw new Error(`OCSP request signing: unsupported key type ${String(key.asymmetricKeyType)}`);
  }
}

/** Throws when the key cannot sign OCSP requests (checked once, at start-up). */
export function assertSigner(signer: RequestSigner): void {
  signatureAlgorithm(signer.privateKey);
  if (!signer.certificate.checkPrivateKey(signer.privateKey)) throw new Error('the private key does not belong to the certificate');
}

export function buildRequest(id: CertIdentity, options: { nonce?: Buffer; signer?: RequestSigner }): Buffer {
  const certificate = options.signer ? AsnConvert.parse(options.signer.certificate.raw, Certificate) : undefined;
  const tbsRequest = new TBSRequest({
    requestList: [new Request({ reqCert: id.certId })],
    // RFC 6960 §4.1.2: requestorName MUST be present when the request is signed.
    ...(certificate ? { requestorName: new GeneralName({ directoryName: AsnConvert.parse(AsnConvert.serialize(certificate.tbsCertificate.subject), Name) }) } : {}),
    ...(options.nonce
      ? { requestExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, extnValue: new OctetString(AsnConvert.serialize(new OctetString(options.nonce))) })] }
      : {}),
  });
  const request = new OCSPRequest({ tbsRequest });
  if (options.signer && certificate) {
    const { id: algorithm, digest } = signatureAlgorithm(options.signer.privateKey);
    const signature = sign(digest, Buffer.from(AsnConvert.serialize(tbsRequest)), options.signer.privateKey);
    request.optionalSignature = new Signature({ signatureAlgorithm: algorithm, signature: new Uint8Array(signature).buffer, certs: [certificate] });
  }
  return Buffer.from(AsnConvert.serialize(request));
}
