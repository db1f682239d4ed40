// forge cannot build CRLs, so the TBSCertList (RFC 5280 §5.1) is laid out here with forge's ASN.1 primitives
// and signed by node:crypto like the certificates.
import forge from 'node-forge';
import { keyIdentifier, signatureAlgorithmAsn1, signedEnvelope, toPem, type KeyPair } from './keys.js';
import { serialToIntegerBytes } from './build-certificate.js';

export interface RevokedEntry {
  /** Serial in hex, as `X509Certificate#serialNumber` prints it (case and leading zeros do not matter). */
  readonly serial: string;
  readonly revokedAt?: Date;
}

export interface CrlSpec {
  readonly issuerName: forge.asn1.Asn1;
  readonly issuerKeys: KeyPair;
  readonly revoked: readonly RevokedEntry[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: number;
}

const { asn1 } = forge;

function time(date: Date): forge.asn1.Asn1 {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function integer(bytes: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

export function buildCrl(spec: CrlSpec): { der: Buffer; pem: string } {
  const fields: forge.asn1.Asn1[] = [
    integer(asn1.integerToDer(1).getBytes()), // v2
    signatureAlgorithmAsn1(spec.issuerKeys.keyType),
    asn1.fromDer(asn1.toDer(spec.issuerName)),
    time(spec.thisUpdate),
    time(spec.nextUpdate),
  ];
  if (spec.revoked.length > 0) {
    fields.push(
      asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.SEQUENCE,
        true,
        spec.revoked.map((entry) =>
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
            integer(serialToIntegerBytes(entry.serial)),
            time(entry.revokedAt ?? spec.thisUpdate),
          ]),
        ),
      ),
    );
  }
  const aki = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyIdentifier(spec.issuerKeys.publicKey).toString('binary')),
  ]);
  fields.push(
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        extension('2.5.29.35', aki), // authorityKeyIdentifier
        extension('2.5.29.20', integer(asn1.integerToDer(spec.crlNumber).getBytes())), // cRLNumber
      ]),
    ]),
  );
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, fields);
  const der = signedEnvelope(tbs, spec.issuerKeys);
  return { der, pem: toPem(der, 'X509 CRL') };
}
