/**
 * `POST /v1/auth/refresh`: exchanges the `refresh-token` cookie for a new access token and a new refresh
 * token of the same family (rotation). A rotated token presented again revokes the family (theft signal).
 */
import { z } from 'zod';
import { AuthError, defineEndpoint, type EndpointDefinition } from '@gatehouse-auth/core';
import { userViewSchema } from '../schemas.js';
import { toUserView, userResourceName } from '../user-view.js';
import { REFRESH_TOKEN_COOKIE, sessionCookies } from './cookies.js';
import { consumeRefreshToken, issueRefreshToken } from './refresh-tokens.js';
import type { SessionPolicy } from './complete-login.js';

export const REFRESH_PATH = '/v1/auth/refresh';

export const refreshResponseSchema = z.object({ user: userViewSchema });

export function refreshEndpoint(strategyId: string, policy: SessionPolicy): EndpointDefinition<Record<string, never>> {
  return defineEndpoint({
    id: `${strategyId}.refresh`,
    method: 'POST',
    path: REFRESH_PATH,
    dialect: 'bytebase',
    requestSchema: z.strictObject({}),
    responseSchema: refreshResponseSchema,
    openapi: {
      summary: 'Rotate the web session: new access-token and refresh-token cookies',
      description: 'Reads the refresh-token cookie. Reusing an already rotated refresh token revokes every token of its family.',
      tags: ['Auth'],
      operationId: 'refreshSession',
    },
    async handle(_input, ctx) {
      const { userId, family } = await consumeRefreshToken(ctx, ctx.request.cookies[REFRESH_TOKEN_COOKIE]);
      const user = await ctx.stores.users.getById(userId);
      if (!user || user.disabled) {
        await ctx.stores.tokens.revokeRefreshFamily(family, ctx.clock.now());
        throw new AuthError({ kind: 'unauthenticated', reasonCode: 'refresh_user_gone', message: 'The refresh token is invalid or expired' });
      }
      const subject = { type: 'user' as const, id: user.id, claims: { name: userResourceName(user), ...(user.email ? { email: user.email } : {}) } };
      const issued = await ctx.issuer.issue({ subject, authMethod: strategyId, settings: policy.token, clientIp: ctx.request.clientIp });
      const refresh = await issueRefreshToken(ctx, { userId: user.id, ttlSeconds: policy.refreshTokenTtlSeconds, family });
      const view = toUserView(user);
      return {
        kind: 'reply',
        subject,
        audit: { family: family.slice(0, 8) },
        reply: {
          body: { user: view },
          cookies: sessionCookies(ctx, policy.secureCookies, {
            accessToken: issued.token,
            accessTokenMaxAge: issued.expiresIn,
            refreshToken: refresh.token,
            refreshTokenMaxAge: policy.refreshTokenTtlSeconds,
            userName: view.name,
          }),
        },
      };
    },
  });
}
