/**
 * Builds the body of `POST /api/v1/auth/oci-auth/login`: the OCI SDK's own signer (`oci-common`'s
 * `DefaultRequestSigner` + `SimpleAuthenticationDetailsProvider`) signs
 * `GET https://identity.<region>.<realm domain>/20160918/users/<userOcid>` with the user's API key, and
 * the signed headers go to Gatehouse, which relays them to OCI Identity. The private key never leaves.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { DefaultRequestSigner, SimpleAuthenticationDetailsProvider } from 'oci-common';

export interface OciLoginCredentials {
  /** The Gatehouse machine identity to log in as. */
  identityId: string;
  /** `ocid1.user.oc1..…` */
  userOcid: string;
  /** `ocid1.tenancy.oc1..…` */
  tenancyOcid: string;
  /** The API key's fingerprint, `12:34:…` (16 colon-separated bytes). */
  fingerprint: string;
  /** PEM of the API signing key (PKCS#1 or PKCS#8). */
  privateKeyPem: string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  /** e.g. `us-ashburn-1` */
  region: string;
  /** Realm domain of the region, default `oraclecloud.com` (e.g. `oraclegovcloud.com`). */
  realmDomain?: string;
  organizationSlug?: string;
  /** Signing time (default: now). Gatehouse and OCI accept ±5 minutes. */
  now?: Date;
}

export interface OciLoginBody {
  identityId: string;
  userOcid: string;
  headers: { authorization: string; host: string; 'x-date'?: string; date?: string };
  organizationSlug?: string;
}

const REGION = /^[a-z]{2,3}(?:-[a-z]{2,20}){1,3}-[1-9][0-9]{0,2}$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The OCI Identity URL whose GET the login signs. */
export function ociIdentityUserUrl(region: string, userOcid: string, realmDomain = 'oraclecloud.com'): string {
  if (!REGION.test(region)) throw new TypeError(`region "${region.slice(0, 64)}" is not an OCI region like us-ashburn-1`);
  if (!DOMAIN.test(realmDomain)) throw new TypeError(`realmDomain "${realmDomain.slice(0, 64)}" is not a domain like oraclecloud.com`);
  return `https://identity.${region}.${realmDomain}/20160918/users/${encodeURIComponent(userOcid)}`;
}

/**
 * Decrypts and checks the key with node:crypto first, then hands oci-common a plain PKCS#8 PEM: sshpk (under
 * oci-common) reports a wrong passphrase with an unhandled stream 'error' that would crash the process, and
 * does not read encrypted PKCS#8 at all.
 */
function signingKeyPem(privateKeyPem: string, passphrase: string | undefined): string {
  let key: KeyObject;
  try {
    key = createPrivateKey(passphrase === undefined ? privateKeyPem : { key: privateKeyPem, passphrase });
  } catch {
    throw new TypeError('privateKeyPem could not be read (wrong passphrase, or not a PEM private key)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('OCI API signing keys are RSA keys');
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export async function buildOciLoginBody(credentials: OciLoginCredentials): Promise<OciLoginBody> {
  const provider = new SimpleAuthenticationDetailsProvider(
    credentials.tenancyOcid,
    credentials.userOcid,
    credentials.fingerprint,
    signingKeyPem(credentials.privateKeyPem, credentials.passphrase),
    null,
  );
  const headers = new Headers();
  if (credentials.now) {
    // The signer only fills these in when absent, so a given time is honoured for both.
    headers.set('x-date', credentials.now.toUTCString());
    headers.set('date', credentials.now.toUTCString());
  }
  const uri = ociIdentityUserUrl(credentials.region, credentials.userOcid, credentials.realmDomain);
  await new DefaultRequestSigner(provider).signHttpRequest({ method: 'GET', uri, headers });

  const authorization = headers.get('authorization');
  const host = headers.get('host');
  if (!authorization || !host) throw new Error('oci-common did not produce a signed request');
  const signed: OciLoginBody['headers'] = { authorization, host };
  const xDate = headers.get('x-date');
  const date = headers.get('date');
  if (xDate) signed['x-date'] = xDate;
  if (date) signed.date = date;
  const body: OciLoginBody = { identityId: credentials.identityId, userOcid: credentials.userOcid, headers: signed };
  if (credentials.organizationSlug !== undefined) body.organizationSlug = credentials.organizationSlug;
  return body;
}
