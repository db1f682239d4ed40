/**
 * Proves a second factor for a user: a TOTP code (its time step claimed, so it works once) or a recovery
 * code (consumed atomically by the store). Used by the login's MFA step and by the enrolment endpoints.
 */
import type { StrategyContext, User } from '@gatehouse-auth/core';
import { sha256Hex } from '../hash.js';
import { normaliseRecoveryCode } from './recovery-codes.js';
import { checkTotp, claimTotpStep } from './totp.js';

export type SecondFactorProof = { otpCode: string; recoveryCode?: undefined } | { recoveryCode: string; otpCode?: undefined };

export type SecondFactor = 'otp' | 'recovery';

export type SecondFactorResult = { ok: true; factor: SecondFactor } | { ok: false; reasonCode: string };

export async function proveSecondFactor(ctx: StrategyContext, user: User, proof: SecondFactorProof): Promise<SecondFactorResult> {
  const now = ctx.clock.now();
  if (proof.otpCode !== undefined) {
    if (!user.mfa.totpSecret) return { ok: false, reasonCode: 'otp_not_enrolled' };
    const check = await checkTotp(user.mfa.totpSecret, proof.otpCode, now);
    if (!check.ok) return { ok: false, reasonCode: 'otp_invalid' };
    if (!(await claimTotpStep(ctx.stores.replay, user.id, check.timeStep, now))) return { ok: false, reasonCode: 'otp_replayed' };
    return { ok: true, factor: 'otp' };
  }
  const code = normaliseRecoveryCode(proof.recoveryCode);
  if (!code) return { ok: false, reasonCode: 'recovery_code_malformed' };
  const consumed = await ctx.stores.users.consumeRecoveryCode(user.id, sha256Hex(code));
  return consumed ? { ok: true, factor: 'recovery' } : { ok: false, reasonCode: 'recovery_code_invalid' };
}

/** Exactly one of `otpCode` / `recoveryCode`, or null. */
export function proofFrom(input: { otpCode?: string; recoveryCode?: string }): SecondFactorProof | null {
  if (input.otpCode !== undefined && input.recoveryCode === undefined) return { otpCode: input.otpCode };
  if (input.recoveryCode !== undefined && input.otpCode === undefined) return { recoveryCode: input.recoveryCode };
  return null;
}
