/**
 * Password users (the ece-password and idp-mfa logins) over the admin API. Infisical has no such API, so these
 * are Gatehouse's own, in the same dialect and envelope style (`{ user }`, `{ users, totalCount }`):
 *
 * - `POST   /api/v1/admin/users`                   create (the password policy applies; argon2id)
 * - `GET    /api/v1/admin/users`                   list
 * - `GET    /api/v1/admin/users/{userId}`          read
 * - `POST   /api/v1/admin/users/{userId}/password` reset the password (revokes the user's tokens unless told not to)
 * - `DELETE /api/v1/admin/users/{userId}/mfa`      turn TOTP off and delete the recovery codes
 *
 * No response ever carries a password hash, TOTP secret or recovery code.
 */
import { z } from 'zod';
import { defineEndpoint, type EndpointDefinition, type StrategyContext } from '../contract/strategy.js';
import { AuthError } from '../errors/auth-error.js';
import type { Argon2Params } from '../password/argon2.js';
import { MAX_PASSWORD_BYTES } from '../password/argon2.js';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../password/policy.js';
import { MAX_EMAIL_LENGTH, createPasswordUser, setUserPassword } from '../password/users.js';
import { MAX_USERNAME_LENGTH } from '../password/username.js';
import type { GatehouseAdmin } from '../runtime/admin.js';
import type { User } from '../stores/ports.js';
import { adminAccess, adminOperation } from './authorize.js';

export const USER_ROUTES = {
  collection: '/api/v1/admin/users',
  item: '/api/v1/admin/users/{userId}',
  password: '/api/v1/admin/users/{userId}/password',
  mfa: '/api/v1/admin/users/{userId}/mfa',
} as const;

export interface UserAdminOptions {
  /** What a new password must satisfy (NIST 800-63B by default). */
  passwordPolicy?: PasswordPolicy;
  /** argon2id parameters of new hashes; the core's default when omitted. */
  passwordHashing?: Argon2Params;
}

// The policy decides the real rules (and names `password` when it refuses); this bounds the input.
const password = z.string().min(1).max(MAX_PASSWORD_BYTES * 4).describe('Plain text; only its argon2id hash is stored. The password policy applies.');

const createBody = z.strictObject({
  username: z.string().min(1).max(MAX_USERNAME_LENGTH * 4).describe('Login name (ece-password); stored normalised (NFKC, trimmed, lower case).'),
  password,
  email: z.string().min(1).max(MAX_EMAIL_LENGTH).nullable().optional().describe('Email (the idp-mfa login name); stored normalised.'),
  displayName: z.string().trim().min(1).max(256).optional().describe('Name shown to people. Default: the username as given.'),
  requireResetPassword: z.boolean().optional().describe('Report `requireResetPassword` at login until the password is changed. Default false.'),
});

const passwordBody = z.strictObject({
  password,
  requireResetPassword: z.boolean().optional().describe('Report `requireResetPassword` at login until the user changes it. Default false.'),
  revokeTokens: z.boolean().optional().describe('Revoke every token issued to the user before now. Default true.'),
});

export function userView(u: User) {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    displayName: u.displayName,
    source: u.source,
    mfaEnabled: u.mfa.enabled,
    requireResetPassword: u.requireResetPassword,
    disabled: u.disabled,
    passwordChangedAt: u.passwordChangedAt?.toISOString() ?? null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

const userShape = z.looseObject({ id: z.string(), username: z.string(), email: z.string().nullable(), mfaEnabled: z.boolean(), createdAt: z.string() });

export function userEndpoints(admin: GatehouseAdmin, options: UserAdminOptions = {}): EndpointDefinition<never>[] {
  const read = adminAccess({ resource: 'users', action: 'read' });
  const write = adminAccess({ resource: 'users', action: 'write' });
  const policy = options.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  const openapi = adminOperation(['Admin: Users']);
  async function requireUser(ctx: StrategyContext): Promise<User> {
    const user = await ctx.stores.users.getById(ctx.request.params.userId!);
    if (!user) throw new AuthError({ kind: 'not_found', reasonCode: 'user_not_found', message: 'User not found' });
    return user;
  }

  const create = defineEndpoint({
    id: 'admin.users.create',
    method: 'POST',
    path: USER_ROUTES.collection,
    dialect: 'infisical',
    requestSchema: createBody,
    responseSchema: z.object({ user: userShape }),
    authorize: write.authorize,
    openapi: openapi(write, 'createPasswordUser', 'Create a password user (ece-password, idp-mfa)', 'The password policy applies (NIST 800-63B: length, not a common password, not the username or email).'),
    async handle(input, ctx) {
      const user = await createPasswordUser(
        ctx.stores,
        {
          username: input.username,
          password: input.password,
          ...(input.email != null ? { email: input.email } : {}),
          ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
          requireResetPassword: input.requireResetPassword ?? false,
        },
        { now: ctx.clock.now(), policy, ...(options.passwordHashing ? { params: options.passwordHashing } : {}) },
      );
      return { kind: 'reply', audit: { userId: user.id, action: 'create' }, reply: { body: { user: userView(user) } } };
    },
  });

  const list = defineEndpoint({
    id: 'admin.users.list',
    method: 'GET',
    path: USER_ROUTES.collection,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ users: z.array(userShape), totalCount: z.number() }),
    authorize: read.authorize,
    openapi: openapi(read, 'listPasswordUsers', 'List users'),
    async handle(_input, ctx) {
      const users = (await ctx.stores.users.list()).map(userView);
      return { kind: 'reply', audit: { action: 'list' }, reply: { body: { users, totalCount: users.length } } };
    },
  });

  const get = defineEndpoint({
    id: 'admin.users.get',
    method: 'GET',
    path: USER_ROUTES.item,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ user: userShape }),
    authorize: read.authorize,
    openapi: openapi(read, 'getPasswordUser', 'Get a user by id'),
    async handle(_input, ctx) {
      const user = await requireUser(ctx);
      return { kind: 'reply', audit: { userId: user.id, action: 'read' }, reply: { body: { user: userView(user) } } };
    },
  });

  const resetPassword = defineEndpoint({
    id: 'admin.users.password',
    method: 'POST',
    path: USER_ROUTES.password,
    dialect: 'infisical',
    requestSchema: passwordBody,
    responseSchema: z.object({ user: userShape }),
    authorize: write.authorize,
    openapi: openapi(write, 'resetUserPassword', "Set a user's password", 'The password policy applies. Every token issued to the user before now is revoked unless `revokeTokens` is false.'),
    async handle(input, ctx) {
      const target = await requireUser(ctx);
      const user = await setUserPassword(ctx.stores, target.id, input.password, {
        now: ctx.clock.now(),
        policy,
        requireResetPassword: input.requireResetPassword ?? false,
        ...(options.passwordHashing ? { params: options.passwordHashing } : {}),
      });
      const revokeTokens = input.revokeTokens ?? true;
      if (revokeTokens) await admin.revokeUserTokens(user.id);
      return { kind: 'reply', audit: { userId: user.id, action: 'reset_password', revokeTokens }, reply: { body: { user: userView(user) } } };
    },
  });

  const disableMfa = defineEndpoint({
    id: 'admin.users.mfa.disable',
    method: 'DELETE',
    path: USER_ROUTES.mfa,
    dialect: 'infisical',
    requestSchema: z.looseObject({}),
    responseSchema: z.object({ user: userShape }),
    authorize: write.authorize,
    openapi: openapi(write, 'disableUserMfa', "Turn a user's TOTP off", 'The TOTP secret, any pending enrolment and every recovery code are deleted; the user can enrol again after logging in with the password alone.'),
    async handle(_input, ctx) {
      const target = await requireUser(ctx);
      await ctx.stores.users.setMfa(target.id, { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false });
      await ctx.stores.users.replaceRecoveryCodes(target.id, []);
      const user = (await ctx.stores.users.getById(target.id)) ?? target;
      return { kind: 'reply', audit: { userId: user.id, action: 'disable_mfa', wasEnabled: target.mfa.enabled }, reply: { body: { user: userView(user) } } };
    },
  });

  return [create, list, get, resetPassword, disableMfa] as EndpointDefinition<never>[];
}
