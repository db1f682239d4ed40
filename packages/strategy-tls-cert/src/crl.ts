// Certificate revocation lists (RFC 5280 §5): parsed with node-forge's ASN.1 reader, signature checked with
// node:crypto against the key of the CA that issued the certificate being checked.
import type { KeyObject } from 'node:crypto';
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
  signedPortion,
  timeOf,
  TYPE,
} from './der.js';
import { verifySignature } from './signature.js';

export interface ParsedCrl {
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Serials as upper-case hex without leading zeros. */
  readonly revoked: ReadonlySet<string>;
  /** Checks the CRL's signature with a candidate issuer key. */
  signedBy(key: KeyObject): boolean;
}

/** Throws `DerError` for anything that is not a well-formed v1/v2 CRL. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const bytes = Buffer.from(der);
  const [tbs, algorithm, signatureNode] = children(parseDer(bytes), 'CertificateList');
  const algorithmOid = oidOf(children(algorithm, 'signatureAlgorithm')[0], 'signatureAlgorithm');
  if (!isUniversal(signatureNode, TYPE.BITSTRING)) throw new DerError('signatureValue');
  const signatureBits = bytesOf(signatureNode, 'signatureValue');
  if (signatureBits[0] !== 0) throw new DerError('signatureValue: unused bits');
  const signature = signatureBits.subarray(1);
  const signed = signedPortion(bytes);

  const fields = children(tbs, 'TBSCertList');
  let i = isUniversal(fields[0], TYPE.INTEGER) ? 1 : 0; // version
  const innerAlgorithm = oidOf(children(fields[i++], 'signature')[0], 'signature');
  if (innerAlgorithm !== algorithmOid) throw new DerError('signature algorithms differ'); // RFC 5280 §5.1.1.2
  const issuer = fields[i++];
  children(issuer, 'issuer');
  const thisUpdate = timeOf(fields[i++], 'thisUpdate');
  let nextUpdate: Date | undefined;
  if (isUniversal(fields[i], TYPE.UTCTIME) || isUniversal(fields[i], TYPE.GENERALIZEDTIME)) nextUpdate = timeOf(fields[i++], 'nextUpdate');
  const revoked = new Set<string>();
  if (isUniversal(fields[i], TYPE.SEQUENCE)) {
    for (const entry of children(fields[i++], 'revokedCertificates')) {
      const [serial, date] = children(entry, 'revokedCertificate');
      if (!isUniversal(serial, TYPE.INTEGER)) throw new DerError('userCertificate');
      timeOf(date, 'revocationDate');
      revoked.add(serialHex(bytesOf(serial, 'userCertificate')));
    }
  }
  if (i < fields.length && !isContext(fields[i], 0)) throw new DerError('TBSCertList: unexpected field');

  const verdicts = new WeakMap<KeyObject, boolean>();
  return {
    issuerDer: encode(issuer!),
    thisUpdate,
    nextUpdate,
    revoked,
    signedBy(key) {
      let verdict = verdicts.get(key);
      if (verdict === undefined) {
        verdict = verifySignature(algorithmOid, signed, signature, key);
        verdicts.set(key, verdict);
      }
      return verdict;
    },
  };
}
