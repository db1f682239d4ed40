/**
 * Second step of a login: `mfaTempToken` + `otpCode` or `recoveryCode`. The temp token names the user and
 * the first factor; a wrong code costs the token one attempt (dead after the last) and the user one
 * attempt in the per-user window (cleared by a success); a replayed code costs only the user's. Success
 * consumes the token, so it works once.
 */
import { AuthError, type StrategyContext, type User } from '@gatehouse-auth/core';
import { normaliseEmail } from '@gatehouse-auth/core/password';
import { MfaTempToken } from '../mfa/temp-token.js';
import { proveSecondFactor, type SecondFactor, type SecondFactorProof } from '../mfa/second-factor.js';
import { clearMfaAttempts, withMfaAttempt, type UserAttemptPolicy } from '../mfa/user-attempts.js';
import { assertUserMayLogIn } from './user-checks.js';

export interface MfaStepInput {
  mfaTempToken: string;
  proof: SecondFactorProof;
  /** Optional in the second call; when sent it must be the temp token's user. */
  email?: string;
}

const wrongCode = (reasonCode: string) =>
  new AuthError({ kind: 'unauthenticated', reasonCode, message: 'The MFA code is invalid' });

export async function verifyMfaStep(
  ctx: StrategyContext,
  input: MfaStepInput,
  policy: UserAttemptPolicy,
): Promise<{ user: User; method: string; secondFactor: SecondFactor }> {
  const temp = await MfaTempToken.open(ctx, input.mfaTempToken);
  const { userId, method } = temp.payload;
  const user = await ctx.stores.users.getById(userId);
  if (!user) {
    await temp.consume().catch(() => undefined);
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'mfa_user_gone', message: 'The MFA temp token is invalid or expired' });
  }
  assertUserMayLogIn(user);
  const result = await withMfaAttempt(ctx, user.id, policy, async () => {
    if (input.email !== undefined && normaliseEmail(input.email) !== user.email) {
      await temp.fail();
      throw new AuthError({ kind: 'unauthenticated', reasonCode: 'mfa_temp_token_user_mismatch', message: 'The MFA temp token is invalid or expired' });
    }
    const proved = await proveSecondFactor(ctx, user, input.proof);
    if (!proved.ok) {
      // A replayed code is no guess (it was right, and another call used its step): it must not spend the temp
      // token's attempts, or copies racing the one that won would kill the token before the winner consumes it.
      if (proved.reasonCode !== 'otp_replayed') await temp.fail();
      throw wrongCode(proved.reasonCode);
    }
    return proved;
  });
  await temp.consume();
  await clearMfaAttempts(ctx, user.id, policy);
  return { user, method, secondFactor: result.factor };
}
