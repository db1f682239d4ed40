// Signatures over DER structures that node:crypto's X509Certificate cannot check for us (CRLs).
import { verify, type KeyObject } from 'node:crypto';

/** Signature AlgorithmIdentifier OID → node:crypto digest (null: the key type fixes it, as for EdDSA). */
const ALGORITHMS: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** False for a bad signature, an unsupported algorithm, or a key that does not fit the algorithm. */
export function verifySignature(algorithmOid: string, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  if (!(algorithmOid in ALGORITHMS)) return false;
  const digest = ALGORITHMS[algorithmOid]!;
  const keyType = key.asymmetricKeyType;
  const fits = algorithmOid.startsWith('1.2.840.113549') ? keyType === 'rsa' : algorithmOid.startsWith('1.2.840.10045') ? keyType === 'ec' : algorithmOid === '1.3.101.112' ? keyType === 'ed25519' : keyType === 'ed448';
  if (!fits) return false;
  try {
    return verify(digest, data, key, signature);
  } catch {
    return false;
  }
}
