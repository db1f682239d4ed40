// Reading and judging one OCSP response (RFC 6960 §3.2, §4.2): well-formed, `successful`, a basic response
// whose signature verifies with the key of an authorised responder — the certificate's issuer itself, or a
// certificate that issuer signed carrying id-kp-OCSPSigning and valid now — about exactly this certificate,
// current against the injected clock, and echoing our nonce when we sent one.
import { createHash } from 'node:crypto';
import { BasicOCSPResponse, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import { signedPortion, tlvRange, parseDer } from '../der.js';
import { readName } from '../names.js';
import { OID, parseCertificate, type ParsedCertificate } from '../parse-certificate.js';
import { verifySignature } from '../signature.js';
import { publicKeyBits, sameCertificate, type CertIdentity } from './cert-id.js';

export type OcspFailure =
  | 'ocsp_no_responder'
  | 'ocsp_responder_not_allowed'
  | 'ocsp_timeout'
  | 'ocsp_unavailable'
  | 'ocsp_http_error'
  | 'ocsp_response_too_large'
  | 'ocsp_malformed_response'
  | 'ocsp_error_response'
  | 'ocsp_signature_invalid'
  | 'ocsp_responder_unauthorized'
  | 'ocsp_response_mismatch'
  | 'ocsp_unknown'
  | 'ocsp_stale'
  | 'ocsp_response_not_yet_valid'
  | 'ocsp_nonce_mismatch';

export type OcspAnswer =
  | { kind: 'status'; status: 'good' | 'revoked'; thisUpdate: Date; nextUpdate: Date | undefined }
  | { kind: 'failure'; reason: OcspFailure; detail?: string };

export interface JudgeInput {
  der: Buffer;
  id: CertIdentity;
  /** The certificate's issuer, as validated on the path. */
  issuer: ParsedCertificate;
  /** extnValue of the nonce extension we sent. */
  nonce: Buffer | undefined;
  now: Date;
  skewMs: number;
  /** Refuse answers whose thisUpdate is older than this; 0: no limit beyond nextUpdate. */
  maxAgeMs: number;
}

const STATUS_NAMES: Record<number, string> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
/** More certificates than this in one response are not looked at: bounded work for a hostile responder. */
const MAX_RESPONSE_CERTS = 4;

const fail = (reason: OcspFailure, detail?: string): OcspAnswer => (detail === undefined ? { kind: 'failure', reason } : { kind: 'failure', reason, detail });

/** `sigRequired` is reported apart, so the caller can retry with a signed request. */
export function judgeResponse(input: JudgeInput): OcspAnswer | { kind: 'sig_required' } {
  let response: OCSPResponse;
  let basic: BasicOCSPResponse;
  let basicDer: Buffer;
  try {
    if (tlvRange(input.der, 0).end !== input.der.length) throw new Error('trailing bytes');
    response = AsnConvert.parse(input.der, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful) {
      if (response.responseStatus === OCSPResponseStatus.sigRequired) return { kind: 'sig_required' };
      return fail('ocsp_error_response', STATUS_NAMES[response.responseStatus] ?? String(response.responseStatus));
    }
    if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) return fail('ocsp_malformed_response', 'not a basic response');
    basicDer = Buffer.from(response.responseBytes.response.buffer);
    if (tlvRange(basicDer, 0).end !== basicDer.length) throw new Error('trailing bytes');
    basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  } catch {
    return fail('ocsp_malformed_response');
  }

  const signed = signedPortion(basicDer);
  const algorithm = basic.signatureAlgorithm.algorithm;
  const signature = Buffer.from(basic.signature);
  const data = basic.tbsResponseData;

  // Who may have signed: the issuer, or a certificate in the response matching the responder id.
  const embedded: ParsedCertificate[] = [];
  for (const cert of (basic.certs ?? []).slice(0, MAX_RESPONSE_CERTS)) {
    try {
      embedded.push(parseCertificate(Buffer.from(AsnConvert.serialize(cert))));
    } catch {
      return fail('ocsp_malformed_response', 'a certificate in the response does not parse');
    }
  }
  const byKey = data.responderID.byKey ? Buffer.from(data.responderID.byKey.buffer) : undefined;
  let byName: string | undefined;
  if (data.responderID.byName) {
    try {
      byName = readName(parseDer(Buffer.from(AsnConvert.serialize(data.responderID.byName))), 'responderID').dn.join('|');
    } catch {
      return fail('ocsp_malformed_response');
    }
  }
  const named = (cert: ParsedCertificate) =>
    byKey ? createHash('sha1').update(publicKeyBits(cert.publicKey)).digest().equals(byKey) : byName === cert.names.subject.join('|');
  const candidates = [input.issuer, ...embedded].filter(named);
  if (candidates.length === 0) return fail('ocsp_responder_unauthorized', 'no certificate of the issuer or in the response matches the responder id');

  let signer: ParsedCertificate | undefined;
  for (const candidate of candidates) {
    if (verifySignature(algorithm, signed, signature, candidate.publicKey)) {
      signer = candidate;
      break;
    }
  }
  if (!signer) return fail('ocsp_signature_invalid');
  const issuerSpki = input.issuer.publicKey.export({ type: 'spki', format: 'der' });
  if (!signer.publicKey.export({ type: 'spki', format: 'der' }).equals(issuerSpki)) {
    // A delegated responder: issued by this very CA (name and signature), for OCSP signing, valid now.
    if (!signer.issuerDer.equals(input.issuer.subjectDer) || !verifiesWith(signer, input.issuer)) return fail('ocsp_responder_unauthorized', 'the responder certificate is not issued by the certificate’s CA');
    if (!signer.extKeyUsage?.includes(OID.ocspSigning)) return fail('ocsp_responder_unauthorized', 'the responder certificate lacks id-kp-OCSPSigning');
    if (input.now < signer.notBefore || input.now > signer.notAfter) return fail('ocsp_responder_unauthorized', 'the responder certificate is not valid now');
  }

  if (input.nonce) {
    const echoed = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
    if (!echoed) return fail('ocsp_nonce_mismatch', 'no nonce in the response');
    if (!Buffer.from(echoed.extnValue.buffer).equals(input.nonce)) return fail('ocsp_nonce_mismatch', 'another nonce in the response');
  }

  const single = data.responses.find((r) => sameCertificate(r.certID, input.id));
  if (!single) return fail('ocsp_response_mismatch');
  const { thisUpdate, nextUpdate } = single;
  const now = input.now.getTime();
  if (thisUpdate.getTime() > now + input.skewMs) return fail('ocsp_response_not_yet_valid');
  if (nextUpdate && now > nextUpdate.getTime() + input.skewMs) return fail('ocsp_stale', `nextUpdate ${nextUpdate.toISOString()}`);
  if (input.maxAgeMs > 0 && now - thisUpdate.getTime() > input.maxAgeMs + input.skewMs) return fail('ocsp_stale', `thisUpdate ${thisUpdate.toISOString()}`);

  if (single.certStatus.revoked) return { kind: 'status', status: 'revoked', thisUpdate, nextUpdate };
  if (single.certStatus.good !== undefined) return { kind: 'status', status: 'good', thisUpdate, nextUpdate };
  return fail('ocsp_unknown');
}

function verifiesWith(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
