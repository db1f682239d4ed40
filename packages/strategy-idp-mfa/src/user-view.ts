/** Maps a stored user to the seed's `user` message. Enrolment secrets never leave through here. */
import type { User } from '@gatehouse-auth/core';
import type { UserView } from './schemas.js';

/** `users/<email>`, Bytebase's current resource name; `users/<id>` when the user has no email. */
export function userResourceName(user: Pick<User, 'id' | 'email'>): string {
  return `users/${user.email ?? user.id}`;
}

/** protojson Timestamp: RFC 3339 in UTC, fractional seconds only when non-zero. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function toUserView(user: User): UserView {
  return {
    name: userResourceName(user),
    state: user.disabled ? 'DELETED' : 'ACTIVE',
    email: user.email ?? '',
    title: user.title,
    userType: user.userType,
    mfaEnabled: user.mfa.enabled,
    phone: user.phone,
    profile: {
      ...(user.lastLoginAt ? { lastLoginTime: formatTimestamp(user.lastLoginAt) } : {}),
      ...(user.passwordChangedAt ? { lastChangePasswordTime: formatTimestamp(user.passwordChangedAt) } : {}),
      source: user.source,
    },
    groups: [...user.groups],
  };
}
