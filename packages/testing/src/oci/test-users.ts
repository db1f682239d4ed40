/** Helpers to make OCI API-key users for tests: key pairs, OCI key fingerprints, plausible OCIDs. */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random OCID of the given resource type in realm oc1, e.g. `ocid1.user.oc1..aaaaaaaa…`. */
export function randomOcid(resourceType: 'user' | 'tenancy' | 'compartment' | 'group' = 'user', realm = 'oc1'): string {
  const unique = [...randomBytes(52)].map((b) => BASE32[b % 32]).join('');
  return `ocid1.${resourceType}.${realm}..aaaaaaaa${unique}`;
}

/**
 * The fingerprint OCI shows for an API signing key: MD5 of the DER SubjectPublicKeyInfo, as lower-case
 * colon-separated hex (`openssl rsa -pubout -outform DER | openssl md5 -c`).
 */
export function ociKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

export interface OciTestUser {
  id: string;
  tenancyId: string;
  name: string;
  publicKeyPem: string;
  privateKeyPem: string;
  fingerprint: string;
}

/** A user with a fresh 2048-bit RSA API key (the size OCI's console generates). */
export function createOciTestUser(opts: { name?: string; tenancyId?: string; id?: string } = {}): OciTestUser {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    id: opts.id ?? randomOcid('user'),
    tenancyId: opts.tenancyId ?? randomOcid('tenancy'),
    name: opts.name ?? `user-${randomBytes(4).toString('hex')}`,
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint: ociKeyFingerprint(publicKeyPem),
  };
}
