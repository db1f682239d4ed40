// OCSP messages (RFC 6960) for the test responder: requests are read and responses written with the
// @peculiar/asn1-ocsp schemas; every response is signed by node:crypto with the responder's real key.
import { createHash, type KeyObject } from 'node:crypto';
import type {
  CertID} from '@peculiar/asn1-ocsp';
import {
  BasicOCSPResponse,
  CertStatus,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReason, Extension, Name } from '@peculiar/asn1-x509';
import forge from 'node-forge';
import { signatureAlgorithmAsn1, signWith, subjectPublicKeyInfoAsn1, type KeyPair, type KeyType } from '../certs/keys.js';

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The contents of a key's subjectPublicKey BIT STRING (what issuerKeyHash and byKey hash). */
export function publicKeyBits(publicKey: KeyObject): Buffer {
  const spki = subjectPublicKeyInfoAsn1(publicKey);
  const bits = (spki.value as forge.asn1.Asn1[])[1]!.value as string;
  return Buffer.from(bits.slice(1), 'binary');
}

/** Subject Name DER of a certificate, byte for byte. */
export function subjectDer(certDer: Buffer): Buffer {
  const cert = AsnConvert.parse(certDer, Certificate);
  return Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject));
}

export interface IssuerIdentity {
  nameDer: Buffer;
  keyBits: Buffer;
}

/** Whether a request's CertID names this issuer (with whatever hash algorithm the client chose). */
export function certIdIssuer(certId: CertID, issuer: IssuerIdentity): boolean {
  const hash = HASHES[certId.hashAlgorithm.algorithm];
  if (!hash) return false;
  const digest = (data: Buffer) => createHash(hash).update(data).digest();
  return digest(issuer.nameDer).equals(Buffer.from(certId.issuerNameHash.buffer)) && digest(issuer.keyBits).equals(Buffer.from(certId.issuerKeyHash.buffer));
}

/** Serial as upper-case hex without leading zero bytes, as `X509Certificate#serialNumber` prints it. */
export function serialOf(certId: CertID): string {
  const bytes = Buffer.from(certId.serialNumber);
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i).toString('hex').toUpperCase();
}

export interface ParsedRequest {
  certIds: CertID[];
  /** The nonce extension's value (extnValue contents), if any. */
  nonce: Buffer | undefined;
  signed: boolean;
  /** For signed requests: the exact signed bytes, algorithm, signature and the certificates sent along. */
  signature?: { tbs: Buffer; algorithm: string; value: Buffer; certs: Buffer[] };
}

/** Throws on anything that is not one DER OCSPRequest. */
export function parseRequest(der: Buffer): ParsedRequest {
  const request = AsnConvert.parse(der, OCSPRequest);
  if (!Buffer.from(AsnConvert.serialize(request)).equals(der)) throw new Error('not DER, or trailing bytes');
  const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  const parsed: ParsedRequest = {
    certIds: request.tbsRequest.requestList.map((r) => r.reqCert),
    nonce: nonce ? Buffer.from(nonce.extnValue.buffer) : undefined,
    signed: request.optionalSignature !== undefined,
  };
  if (request.optionalSignature) {
    parsed.signature = {
      tbs: Buffer.from(AsnConvert.serialize(request.tbsRequest)),
      algorithm: request.optionalSignature.signatureAlgorithm.algorithm,
      value: Buffer.from(request.optionalSignature.signature),
      certs: (request.optionalSignature.certs ?? []).map((c) => Buffer.from(AsnConvert.serialize(c))),
    };
  }
  return parsed;
}

export function errorResponse(status: OCSPResponseStatus): Buffer {
  return Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: status })));
}

export type CertState = { status: 'good' } | { status: 'unknown' } | { status: 'revoked'; revokedAt: Date; reason?: number };

export interface Answer {
  certId: CertID;
  state: CertState;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}

export interface ResponseSigner {
  keys: KeyPair;
  /** Included in `certs` (a delegated responder's certificate). */
  certDer?: Buffer;
  /** Subject DER for `byName`. */
  nameDer?: Buffer;
}

function algorithmIdentifier(keyType: KeyType): AlgorithmIdentifier {
  const der = Buffer.from(forge.asn1.toDer(signatureAlgorithmAsn1(keyType)).getBytes(), 'binary');
  return AsnConvert.parse(der, AlgorithmIdentifier);
}

function certStatus(state: CertState): CertStatus {
  switch (state.status) {
    case 'good':
      return new CertStatus({ good: null });
    case 'unknown':
      return new CertStatus({ unknown: null });
    case 'revoked':
      return new CertStatus({
        revoked: new RevokedInfo({
          revocationTime: state.revokedAt,
          ...(state.reason === undefined ? {} : { revocationReason: new CRLReason(state.reason) }),
        }),
      });
  }
}

export interface BuildOptions {
  answers: Answer[];
  signer: ResponseSigner;
  producedAt: Date;
  responderId: 'byKey' | 'byName';
  /** extnValue contents of the nonce extension to put in the response (the request's, normally). */
  nonce: Buffer | undefined;
  /** Flip a bit of the signature after signing. */
  corruptSignature?: boolean;
}

export function successResponse(options: BuildOptions): Buffer {
  const { signer } = options;
  const responderID =
    options.responderId === 'byName' && signer.nameDer
      ? new ResponderID({ byName: AsnConvert.parse(signer.nameDer, Name) })
      : new ResponderID({ byKey: new OctetString(createHash('sha1').update(publicKeyBits(signer.keys.publicKey)).digest()) });
  const tbs = new ResponseData({
    responderID,
    producedAt: options.producedAt,
    responses: options.answers.map(
      (a) =>
        new SingleResponse({
          certID: a.certId,
          certStatus: certStatus(a.state),
          thisUpdate: a.thisUpdate,
          ...(a.nextUpdate ? { nextUpdate: a.nextUpdate } : {}),
        }),
    ),
    ...(options.nonce ? { responseExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, extnValue: new OctetString(options.nonce) })] } : {}),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = signWith(signer.keys, tbsDer);
  if (options.corruptSignature) signature[signature.length - 1]! ^= 0x01;
  const basic = new BasicOCSPResponse({
    tbsResponseData: tbs,
    signatureAlgorithm: algorithmIdentifier(signer.keys.keyType),
    signature: new Uint8Array(signature).buffer,
    ...(signer.certDer ? { certs: [AsnConvert.parse(signer.certDer, Certificate)] } : {}),
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}
