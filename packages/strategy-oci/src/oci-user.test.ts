import { AuthError } from '@gatehouse-auth/core';
import { ociUserRecord } from '@gatehouse-auth/testing/oci';
import { describe, expect, it } from 'vitest';
import { checkOciUser } from './oci-user.js';

const tenancyOcid = 'ocid1.tenancy.oc1..aaaaaaaatenancy';
const userOcid = 'ocid1.user.oc1..aaaaaaaauser';
const record = (over: Record<string, unknown> = {}) => ({ ...ociUserRecord({ id: userOcid, tenancyId: tenancyOcid, name: 'ci-bot' }), ...over });
const fail = (body: unknown, allowedUsernames: string[] | null = null) => {
  try {
    checkOciUser(body, { userOcid, tenancyOcid, allowedUsernames });
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    return `${(err as AuthError).kind}:${(err as AuthError).reasonCode}`;
  }
};

describe('checkOciUser', () => {
  it('accepts the ACTIVE requested user of the tenancy', () => {
    expect(checkOciUser(record(), { userOcid, tenancyOcid, allowedUsernames: ['ci-bot'] })).toMatchObject({ id: userOcid, name: 'ci-bot' });
    expect(fail(record())).toBe('accepted');
  });

  it('refuses a user of another tenancy even with an allowed name (compartmentId is the tenancy)', () => {
    expect(fail(record({ compartmentId: 'ocid1.tenancy.oc1..aaaaaaaaother' }), ['ci-bot'])).toBe('unauthenticated:tenancy_mismatch');
  });

  it('refuses a name outside allowedUsernames, exactly (no case folding, no prefixes)', () => {
    expect(fail(record(), ['deployer'])).toBe('unauthenticated:username_not_allowed');
    expect(fail(record({ name: 'CI-BOT' }), ['ci-bot'])).toBe('unauthenticated:username_not_allowed');
    expect(fail(record({ name: 'ci-bot2' }), ['ci-bot'])).toBe('unauthenticated:username_not_allowed');
  });

  it.each(['INACTIVE', 'CREATING', 'DELETING', 'DELETED', 'active'])('refuses lifecycleState %s', (state) => {
    expect(fail(record({ lifecycleState: state }))).toBe('unauthenticated:user_not_active');
  });

  it('treats an answer about another user, or without the needed fields, as upstream garbage (502)', () => {
    expect(fail(record({ id: 'ocid1.user.oc1..aaaaaaaaother' }))).toBe('upstream_failed:upstream_user_mismatch');
    expect(fail({ id: userOcid, name: 'ci-bot' })).toBe('upstream_failed:upstream_garbage');
    expect(fail(record({ compartmentId: 42 }))).toBe('upstream_failed:upstream_garbage');
    expect(fail([])).toBe('upstream_failed:upstream_garbage');
    expect(fail(null)).toBe('upstream_failed:upstream_garbage');
    expect(fail('ok')).toBe('upstream_failed:upstream_garbage');
  });
});
