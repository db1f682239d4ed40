import { describe, expect, it } from 'vitest';
import type { User } from '@gatehouse-auth/core';
import { formatTimestamp, toUserView } from './user-view.js';

const base: User = {
  id: 'u-1',
  username: 'ann',
  email: null,
  displayName: 'Ann',
  passwordHash: null,
  passwordChangedAt: null,
  requireResetPassword: false,
  disabled: false,
  title: '',
  phone: '',
  userType: 'USER',
  groups: [],
  mfa: { totpSecret: 'SECRET', pendingTotpSecret: 'PENDING', pendingCreatedAt: new Date(0), enabled: true },
  lastLoginAt: null,
  source: 'password',
  createdAt: new Date(0),
};

describe('toUserView', () => {
  it('names a user without email users/<id>, omits unknown times, and never carries MFA secrets', () => {
    const view = toUserView(base);
    expect(view).toEqual({
      name: 'users/u-1',
      state: 'ACTIVE',
      email: '',
      title: '',
      userType: 'USER',
      mfaEnabled: true,
      phone: '',
      profile: { source: 'password' },
      groups: [],
    });
    expect(JSON.stringify(view)).not.toMatch(/SECRET|PENDING/);
  });

  it('reports a deactivated user as DELETED and formats timestamps as protojson does', () => {
    const view = toUserView({ ...base, email: 'ann@example.com', disabled: true, lastLoginAt: new Date('2026-01-02T03:04:05Z'), passwordChangedAt: new Date('2026-01-02T03:04:05.250Z') });
    expect(view.name).toBe('users/ann@example.com');
    expect(view.state).toBe('DELETED');
    expect(view.profile).toEqual({ lastLoginTime: '2026-01-02T03:04:05Z', lastChangePasswordTime: '2026-01-02T03:04:05.250Z', source: 'password' });
    expect(formatTimestamp(new Date(0))).toBe('1970-01-01T00:00:00Z');
  });
});
