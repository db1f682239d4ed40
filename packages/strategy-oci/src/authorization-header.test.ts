import { buildOciLoginBody } from '@gatehouse-auth/client';
import { createOciTestUser } from '@gatehouse-auth/testing/oci';
import { AuthError } from '@gatehouse-auth/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOciSignature } from './authorization-header.js';

const user = createOciTestUser();
let header: string;

beforeAll(async () => {
  const body = await buildOciLoginBody({ identityId: 'x', userOcid: user.id, tenancyOcid: user.tenancyId, fingerprint: user.fingerprint, privateKeyPem: user.privateKeyPem, region: 'us-ashburn-1' });
  header = body.headers.authorization;
});

function reason(value: string): string {
  try {
    parseOciSignature(value);
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).kind).toBe('unauthenticated');
    return (err as AuthError).reasonCode;
  }
  return 'accepted';
}

const sigParam = () => /signature="[^"]+"/.exec(header)![0];

describe('parseOciSignature', () => {
  it('parses the header oci-common produces', () => {
    const parsed = parseOciSignature(header);
    expect(parsed.keyId).toEqual({ tenancyOcid: user.tenancyId, userOcid: user.id, fingerprint: user.fingerprint });
    expect(parsed.signedHeaders).toEqual(expect.arrayContaining(['(request-target)', 'host', 'x-date']));
    expect(parsed.signature.length).toBe(256);
  });

  it('tolerates spaces after commas', () => {
    expect(reason(header.replaceAll('",', '", '))).toBe('accepted');
  });

  it.each<[string, (h: string) => string, string]>([
    ['another scheme', (h) => h.replace('Signature ', 'Bearer '), 'signature_scheme_invalid'],
    ['a lower-case scheme', (h) => h.replace('Signature ', 'signature '), 'signature_scheme_invalid'],
    ['a duplicate keyId (first or last wins elsewhere)', (h) => h.replace('keyId=', `keyId="${user.tenancyId}/ocid1.user.oc1..aaaaaaaaother/${user.fingerprint}",keyId=`), 'signature_duplicate_param'],
    ['a duplicate headers list', (h) => h.replace('headers=', 'headers="host",headers='), 'signature_duplicate_param'],
    ['an unknown parameter', (h) => h.replace('keyId=', 'created="1",keyId='), 'signature_unknown_param'],
    ['an unquoted value', (h) => h.replace('version="1"', 'version=1'), 'signature_malformed'],
    ['an escaped quote', (h) => h.replace('version="1"', 'version="1\\""'), 'signature_malformed'],
    ['a control character', (h) => h.replace('version="1"', 'version="1\u0000"'), 'signature_malformed'],
    ['an empty parameter', (h) => `${h},`, 'signature_malformed'],
    ['no version', (h) => h.replace('version="1",', ''), 'signature_param_missing'],
    ['version 2', (h) => h.replace('version="1"', 'version="2"'), 'signature_version_unsupported'],
    ['algorithm hmac-sha256', (h) => h.replace('rsa-sha256', 'hmac-sha256'), 'signature_algorithm_unsupported'],
    ['algorithm RSA-SHA256', (h) => h.replace('rsa-sha256', 'RSA-SHA256'), 'signature_algorithm_unsupported'],
    ['no host in the signed list', (h) => h.replace(/headers="[^"]+"/, 'headers="x-date (request-target)"'), 'signed_headers_incomplete'],
    ['no (request-target)', (h) => h.replace(/headers="[^"]+"/, 'headers="x-date host"'), 'signed_headers_incomplete'],
    ['no date', (h) => h.replace(/headers="[^"]+"/, 'headers="(request-target) host"'), 'signed_headers_incomplete'],
    ['a header the body cannot carry', (h) => h.replace(/headers="[^"]+"/, 'headers="x-date (request-target) host content-length"'), 'signed_header_unavailable'],
    ['a repeated signed header', (h) => h.replace(/headers="[^"]+"/, 'headers="x-date (request-target) host host"'), 'signed_headers_malformed'],
    ['double spaces in the list', (h) => h.replace(/headers="[^"]+"/, 'headers="x-date  (request-target) host"'), 'signed_headers_malformed'],
    ['an upper-case header name', (h) => h.replace(/headers="[^"]+"/, 'headers="X-Date (request-target) host"'), 'signed_headers_malformed'],
    ['a non-base64 signature', (h) => h.replace(sigParam(), 'signature="abc$def="'), 'signature_encoding_invalid'],
    ['a short signature', (h) => h.replace(sigParam(), `signature="${Buffer.alloc(128).toString('base64')}"`), 'signature_length_invalid'],
    ['a keyId with four segments', (h) => h.replace('keyId="', 'keyId="x/'), 'key_id_malformed'],
    ['a keyId with two segments', (h) => h.replace(/keyId="[^"]+"/, `keyId="${user.tenancyId}/${user.id}"`), 'key_id_malformed'],
    ['a keyId user that is not a user OCID', (h) => h.replace(user.id, 'ocid1.group.oc1..aaaaaaaax'), 'key_id_malformed'],
    ['a keyId tenancy that is not a tenancy OCID', (h) => h.replace(user.tenancyId, 'tenancy'), 'key_id_malformed'],
    ['a malformed fingerprint', (h) => h.replace(user.fingerprint, 'aa:bb'), 'key_id_malformed'],
  ])('refuses %s', (_label, mutate, expected) => {
    expect(reason(mutate(header))).toBe(expected);
  });
});
