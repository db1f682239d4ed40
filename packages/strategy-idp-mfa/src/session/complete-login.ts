/**
 * The end of a successful login: record the login time, then let the pipeline issue the access token and
 * shape the seed's response. `web: true` moves the tokens into cookies and leaves the token out of the body.
 */
import type { Outcome, StrategyContext, TokenSettings, User } from '@gatehouse-auth/core';
import type { LoginResponse } from '../schemas.js';
import { toUserView, userResourceName } from '../user-view.js';
import { sessionCookies } from './cookies.js';
import { issueRefreshToken } from './refresh-tokens.js';
import type { SecondFactor } from '../mfa/second-factor.js';

export interface CompleteLoginInput {
  user: User;
  /** First factor: `password` or `idps/<id>`. */
  method: string;
  secondFactor: SecondFactor | null;
  web: boolean;
}

export interface SessionPolicy {
  token?: Partial<TokenSettings>;
  refreshTokenTtlSeconds: number;
  passwordRotationDays?: number;
  /** `always`: cookies are `Secure` whatever the request says; `auto`: when the client used https. */
  secureCookies: 'always' | 'auto';
}

/** RFC 8176 method references for the token's `amr` claim. */
function amr(method: string, secondFactor: SecondFactor | null): string[] {
  const first = method === 'password' ? 'pwd' : 'fed';
  if (secondFactor === 'otp') return [first, 'otp', 'mfa'];
  if (secondFactor === 'recovery') return [first, 'kba', 'mfa'];
  return [first];
}

/** Flagged by an admin, or (for password logins) a password older than the rotation period. */
export function requiresPasswordReset(user: User, method: string, now: Date, rotationDays?: number): boolean {
  if (user.requireResetPassword) return true;
  if (method !== 'password' || !rotationDays || !user.passwordHash) return false;
  const changedAt = user.passwordChangedAt ?? user.createdAt;
  return now.getTime() - changedAt.getTime() > rotationDays * 86_400_000;
}

export async function completeLogin(ctx: StrategyContext, input: CompleteLoginInput, policy: SessionPolicy): Promise<Outcome> {
  const now = ctx.clock.now();
  // Bookkeeping after the credentials were accepted: a store that fails here does not fail the login (the token
  // is issued through the store next, so a real outage still ends in the dialect's 503 there).
  const user =
    (await ctx.stores.users.update(input.user.id, { lastLoginAt: now }).catch((err: unknown) => {
      ctx.logger.warn({ userId: input.user.id, err: { type: err instanceof Error ? err.name : typeof err } }, 'login accepted; recording lastLoginAt failed');
      return null;
    })) ?? input.user;
  const requireResetPassword = requiresPasswordReset(user, input.method, now, policy.passwordRotationDays);
  const view = toUserView(user);
  return {
    kind: 'authenticated',
    subject: {
      type: 'user',
      id: user.id,
      claims: {
        name: userResourceName(user),
        ...(user.email ? { email: user.email } : {}),
        amr: amr(input.method, input.secondFactor),
        ...(input.method.startsWith('idps/') ? { idp: input.method } : {}),
      },
    },
    token: policy.token,
    audit: { method: input.method, mfa: input.secondFactor ?? 'none', web: input.web },
    reply: async (issued) => {
      const body: LoginResponse = { requireResetPassword, user: view };
      if (!input.web) return { body: { token: issued.token, ...body } };
      const refresh = await issueRefreshToken(ctx, { userId: user.id, ttlSeconds: policy.refreshTokenTtlSeconds });
      return {
        body,
        cookies: sessionCookies(ctx, policy.secureCookies, {
          accessToken: issued.token,
          accessTokenMaxAge: issued.expiresIn,
          refreshToken: refresh.token,
          refreshTokenMaxAge: policy.refreshTokenTtlSeconds,
          userName: view.name,
        }),
      };
    },
  };
}
