/**
 * The MFA temp token: 32 random bytes, handed to the client once, stored only as its SHA-256 in the replay
 * store with the user and the first method it proves, a short expiry and an attempt budget.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, type StrategyContext, type TempTokenRecord } from '@gatehouse-auth/core';
import { OPAQUE_TOKEN_PATTERN, sha256Hex } from '../hash.js';

const NAMESPACE = 'mfa';

export interface MfaTempPayload {
  userId: string;
  /** The first factor: `password` or `idps/<id>`. */
  method: string;
}

export interface TempTokenPolicy {
  ttlSeconds: number;
  maxAttempts: number;
}

export async function issueMfaTempToken(ctx: StrategyContext, payload: MfaTempPayload, policy: TempTokenPolicy): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.clock.now().getTime() + policy.ttlSeconds * 1000);
  await ctx.stores.replay.createTemp<MfaTempPayload>(NAMESPACE, sha256Hex(token), payload, expiresAt, policy.maxAttempts);
  return token;
}

const invalidTempToken = (reasonCode: string) =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message: 'The MFA temp token is invalid or expired' });

/** Handle on a live temp token: read it, count a failure, or consume it. */
export class MfaTempToken {
  private constructor(
    private readonly ctx: StrategyContext,
    private readonly id: string,
    readonly record: TempTokenRecord<MfaTempPayload>,
  ) {}

  /** Throws 401 when the token is malformed, unknown, expired or dead. */
  static async open(ctx: StrategyContext, token: string): Promise<MfaTempToken> {
    if (!OPAQUE_TOKEN_PATTERN.test(token)) throw invalidTempToken('mfa_temp_token_malformed');
    const id = sha256Hex(token);
    const record = await ctx.stores.replay.peekTemp<MfaTempPayload>(NAMESPACE, id, ctx.clock.now());
    if (!record) throw invalidTempToken('mfa_temp_token_unknown');
    return new MfaTempToken(ctx, id, record);
  }

  get payload(): MfaTempPayload {
    return this.record.payload;
  }

  /** Counts a wrong code; at the last attempt the store deletes the token. Returns attempts left. */
  fail(): Promise<number> {
    return this.ctx.stores.replay.failTemp(NAMESPACE, this.id, this.ctx.clock.now());
  }

  /** Single use: of concurrent consumers exactly one succeeds; the others get 401. */
  async consume(): Promise<MfaTempPayload> {
    const record = await this.ctx.stores.replay.consumeTemp<MfaTempPayload>(NAMESPACE, this.id, this.ctx.clock.now());
    if (!record) throw invalidTempToken('mfa_temp_token_used');
    return record.payload;
  }
}
