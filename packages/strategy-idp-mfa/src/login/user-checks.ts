import { AuthError, type User } from '@gatehouse-auth/core';

/** Bots and workload identities do not log in here (Bytebase refuses them on this route too). */
const LOGIN_TYPES = new Set<User['userType']>(['USER', 'SERVICE_ACCOUNT']);

/** After the first factor succeeded: the account itself must be allowed to log in. */
export function assertUserMayLogIn(user: User): void {
  if (user.disabled) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'user_disabled', message: 'The user has been deactivated' });
  }
  if (!LOGIN_TYPES.has(user.userType)) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'user_type_not_allowed', message: 'This user cannot log in here' });
  }
}
