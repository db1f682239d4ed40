/** What Gatehouse requires of the user OCI Identity returns. */
import { AuthError } from '@gatehouse-auth/core';
import { z } from 'zod';

/** The fields of OCI's `User` model that the decision rests on; others are ignored. */
export const ociUserSchema = z.object({
  id: z.string().max(255),
  compartmentId: z.string().max(255),
  name: z.string().max(512),
  lifecycleState: z.string().max(32),
});

export type OciUser = z.output<typeof ociUserSchema>;

export interface UserRequirements {
  userOcid: string;
  tenancyOcid: string;
  allowedUsernames: readonly string[] | null;
}

/** Throws unless OCI's answer is the requested, ACTIVE user, of the identity's tenancy, with an allowed name. */
export function checkOciUser(body: unknown, req: UserRequirements): OciUser {
  const parsed = ociUserSchema.safeParse(body);
  if (!parsed.success) throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_garbage' });
  const user = parsed.data;
  if (user.id !== req.userOcid) throw new AuthError({ kind: 'upstream_failed', reasonCode: 'upstream_user_mismatch' });
  // A user's compartmentId is its tenancy: this is the cross-tenancy fence.
  if (user.compartmentId !== req.tenancyOcid) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'tenancy_mismatch' });
  if (req.allowedUsernames && !req.allowedUsernames.includes(user.name)) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'username_not_allowed' });
  }
  if (user.lifecycleState !== 'ACTIVE') throw new AuthError({ kind: 'unauthenticated', reasonCode: 'user_not_active' });
  return user;
}
