/**
 * Oracle Cloud IDs: `ocid1.<resource type>.<realm>.[region][.future use].<unique id>`, e.g.
 * `ocid1.user.oc1..aaaaaaaa…` (global resources leave the region empty).
 */
import { z } from 'zod';

const MAX_OCID_LENGTH = 255;

function ocidPattern(resourceType: string): RegExp {
  return new RegExp(`^ocid1\\.${resourceType}\\.[a-z][a-z0-9]{0,15}\\.[a-z0-9-]{0,32}(?:\\.[a-z0-9-]{1,32})?\\.[a-z0-9]{1,160}$`);
}

export const USER_OCID = ocidPattern('user');
export const TENANCY_OCID = ocidPattern('tenancy');

export function isOcid(value: string, pattern: RegExp): boolean {
  return value.length <= MAX_OCID_LENGTH && pattern.test(value);
}

/** A zod string that must be an OCID of `resourceType` (`user`, `tenancy`). */
export function ocidSchema(resourceType: 'user' | 'tenancy') {
  const pattern = resourceType === 'user' ? USER_OCID : TENANCY_OCID;
  return z
    .string()
    .max(MAX_OCID_LENGTH)
    .regex(pattern, `must be an OCI ${resourceType} OCID (ocid1.${resourceType}.<realm>..<unique id>)`);
}
