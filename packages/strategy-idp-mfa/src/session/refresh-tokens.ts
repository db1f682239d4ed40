/**
 * Opaque refresh tokens for web sessions: 32 random bytes, stored as SHA-256 with a family id. Each use
 * rotates the token inside its family; presenting an already-rotated token revokes the whole family.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, type StrategyContext } from '@gatehouse-auth/core';
import { OPAQUE_TOKEN_PATTERN, sha256Hex } from '../hash.js';

export interface IssuedRefreshToken {
  token: string;
  family: string;
  expiresAt: Date;
}

export async function issueRefreshToken(
  ctx: StrategyContext,
  input: { userId: string; ttlSeconds: number; family?: string },
): Promise<IssuedRefreshToken> {
  const token = randomBytes(32).toString('base64url');
  const family = input.family ?? randomBytes(16).toString('base64url');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
  await ctx.stores.tokens.createRefreshToken({ hash: sha256Hex(token), family, userId: input.userId, createdAt: now, expiresAt });
  return { token, family, expiresAt };
}

const refused = (reasonCode: string) =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message: 'The refresh token is invalid or expired' });

/** Consumes a refresh token; on reuse of a rotated one the family is revoked. Returns its user and family. */
export async function consumeRefreshToken(ctx: StrategyContext, token: string | undefined): Promise<{ userId: string; family: string }> {
  if (!token) throw refused('refresh_token_missing');
  if (!OPAQUE_TOKEN_PATTERN.test(token)) throw refused('refresh_token_malformed');
  const now = ctx.clock.now();
  const result = await ctx.stores.tokens.consumeRefreshToken(sha256Hex(token), now);
  switch (result.status) {
    case 'ok':
      return { userId: result.record.userId, family: result.record.family };
    case 'reused':
      // Someone holds a copy of a token that was already exchanged: end the whole session.
      await ctx.stores.tokens.revokeRefreshFamily(result.record.family, now);
      ctx.logger.warn({ userId: result.record.userId }, 'refresh token reused; family revoked');
      throw refused('refresh_token_reused');
    default:
      throw refused(`refresh_token_${result.status}`);
  }
}
