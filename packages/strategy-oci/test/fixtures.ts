/** Shared test fixtures: OCI users in one tenancy (plus an outsider), distinct signing seconds, raw path signing. */
import type { OciLoginBody } from '@gatehouse-auth/client';
import { createOciTestUser, randomOcid, type OciTestUser } from '@gatehouse-auth/testing/oci';
import { DefaultRequestSigner, SimpleAuthenticationDetailsProvider } from 'oci-common';

export const HOST = 'identity.us-ashburn-1.oraclecloud.com';

export function ociUsers() {
  const tenancy = randomOcid('tenancy');
  return {
    tenancy,
    ciBot: createOciTestUser({ name: 'ci-bot', tenancyId: tenancy }),
    deployer: createOciTestUser({ name: 'deployer', tenancyId: tenancy }),
    admin: createOciTestUser({ name: 'admin', tenancyId: tenancy }),
    retired: createOciTestUser({ name: 'retired', tenancyId: tenancy }),
    /** Another tenancy, with an allowed name. */
    outsider: createOciTestUser({ name: 'ci-bot' }),
  };
}

/**
 * RSA PKCS#1 v1.5 signatures are deterministic and dates have one-second resolution, so two bodies signed by
 * one key in the same second are the same signature, and replay protection accepts only the first. Each body
 * is therefore signed at its own second: distinct, increasing seconds starting 200 s in the past, which stay
 * inside the ±5 min window for the few hundred bodies a test file signs.
 */
export function signingSeconds(): () => Date {
  const first = Math.floor(Date.now() / 1000) - 200;
  let n = 0;
  return () => new Date((first + n++) * 1000);
}

export function credentialsOf(user: OciTestUser) {
  return { userOcid: user.id, tenancyOcid: user.tenancyId, fingerprint: user.fingerprint, privateKeyPem: user.privateKeyPem, region: 'us-ashburn-1' };
}

/** Signs `GET https://<HOST><path>` with oci-common (for "signature over another path"). */
export async function signPath(user: OciTestUser, path: string, date = new Date()): Promise<OciLoginBody['headers']> {
  const headers = new Headers({ 'x-date': date.toUTCString(), date: date.toUTCString() });
  const provider = new SimpleAuthenticationDetailsProvider(user.tenancyId, user.id, user.fingerprint, user.privateKeyPem, null);
  await new DefaultRequestSigner(provider).signHttpRequest({ method: 'GET', headers, uri: `https://${HOST}${path}` });
  return { authorization: headers.get('authorization')!, host: headers.get('host')!, 'x-date': headers.get('x-date')!, date: headers.get('date')! };
}
