/**
 * MFA management for a logged-in user (Bearer token or `access-token` cookie):
 * - `POST /v1/auth/mfa/enroll`        new pending TOTP secret + otpauth URI (MFA not yet on)
 * - `POST /v1/auth/mfa/confirm`       first code from the app → MFA on, recovery codes returned once
 * - `POST /v1/auth/mfa/recovery-codes` a current code → fresh recovery codes (old ones void), returned once
 * - `POST /v1/auth/mfa/disable`       a current code → MFA off, recovery codes deleted
 * Recovery codes need a code too: a stolen access token alone must not mint a way around MFA.
 */
import { z } from 'zod';
import { AuthError, defineEndpoint, type EndpointDefinition, type StrategyContext, type User } from '@gatehouse-auth/core';
import type { MfaOptions } from '../options.js';
import { formatTimestamp } from '../user-view.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { proofFrom, proveSecondFactor } from './second-factor.js';
import { checkTotp, claimTotpStep, newTotpSecret, otpauthUri } from './totp.js';
import { clearMfaAttempts, withMfaAttempt } from './user-attempts.js';

export const MFA_PATHS = {
  enroll: '/v1/auth/mfa/enroll',
  confirm: '/v1/auth/mfa/confirm',
  recoveryCodes: '/v1/auth/mfa/recovery-codes',
  disable: '/v1/auth/mfa/disable',
} as const;

const codeProof = z.strictObject({
  otpCode: z.string().min(1).max(64).optional(),
  recoveryCode: z.string().min(1).max(64).optional(),
});

export const enrollResponseSchema = z.object({
  tempOtpSecret: z.string(),
  tempOtpSecretCreatedTime: z.string(),
  otpauthUri: z.string(),
});
export const recoveryCodesResponseSchema = z.object({ mfaEnabled: z.literal(true), recoveryCodes: z.array(z.string()) });
export const disableResponseSchema = z.object({ mfaEnabled: z.literal(false) });

async function currentUser(ctx: StrategyContext): Promise<User> {
  const principal = await ctx.requirePrincipal();
  if (principal.subject.type !== 'user') {
    throw new AuthError({ kind: 'forbidden', reasonCode: 'not_a_user', message: 'Only users can manage MFA' });
  }
  const user = await ctx.stores.users.getById(principal.subject.id);
  if (!user || user.disabled) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'user_gone', message: 'Authentication required' });
  return user;
}

const precondition = (reasonCode: string, message: string) =>
  new AuthError({ kind: 'bad_request', reasonCode, message, publicCode: 'failed_precondition' });

async function newRecoveryCodes(ctx: StrategyContext, userId: string, count: number): Promise<string[]> {
  const codes = generateRecoveryCodes(count);
  await ctx.stores.users.replaceRecoveryCodes(userId, codes.map(hashRecoveryCode));
  return codes;
}

/** A current OTP or recovery code of a user whose MFA is on; failures count towards the per-user cap. */
async function requireCurrentCode(ctx: StrategyContext, user: User, input: z.output<typeof codeProof>, mfa: MfaOptions): Promise<void> {
  if (!user.mfa.enabled) throw precondition('mfa_not_enabled', 'MFA is not enabled');
  const proof = proofFrom(input);
  if (!proof) {
    throw new AuthError({ kind: 'bad_request', reasonCode: 'code_required', message: 'Send exactly one of otpCode or recoveryCode', fields: ['otpCode', 'recoveryCode'] });
  }
  await withMfaAttempt(ctx, user.id, mfa, async () => {
    const result = await proveSecondFactor(ctx, user, proof);
    if (!result.ok) throw new AuthError({ kind: 'unauthenticated', reasonCode: result.reasonCode, message: 'The MFA code is invalid' });
  });
  await clearMfaAttempts(ctx, user.id, mfa);
}

export function enrolmentEndpoints(strategyId: string, mfa: MfaOptions): EndpointDefinition<never>[] {
  const enroll = defineEndpoint({
    id: `${strategyId}.mfa.enroll`,
    method: 'POST',
    path: MFA_PATHS.enroll,
    dialect: 'bytebase',
    requestSchema: z.strictObject({}),
    responseSchema: enrollResponseSchema,
    openapi: { summary: 'Start TOTP enrolment: a new secret and otpauth URI', tags: ['MFA'], operationId: 'enrollMfa' },
    async handle(_input, ctx) {
      const user = await currentUser(ctx);
      if (user.mfa.enabled) throw precondition('mfa_already_enabled', 'MFA is already enabled; disable it first');
      const now = ctx.clock.now();
      const secret = newTotpSecret();
      await ctx.stores.users.setMfa(user.id, { ...user.mfa, pendingTotpSecret: secret, pendingCreatedAt: now });
      return {
        kind: 'reply',
        subject: { type: 'user', id: user.id },
        reply: {
          body: {
            tempOtpSecret: secret,
            tempOtpSecretCreatedTime: formatTimestamp(now),
            otpauthUri: otpauthUri({ issuer: mfa.issuer, account: user.email ?? user.username, secret }),
          },
        },
      };
    },
  });

  const confirm = defineEndpoint({
    id: `${strategyId}.mfa.confirm`,
    method: 'POST',
    path: MFA_PATHS.confirm,
    dialect: 'bytebase',
    requestSchema: z.strictObject({ otpCode: z.string().min(1).max(64) }),
    responseSchema: recoveryCodesResponseSchema,
    openapi: { summary: 'Confirm TOTP enrolment with a first code; returns recovery codes once', tags: ['MFA'], operationId: 'confirmMfa' },
    async handle(input, ctx) {
      const user = await currentUser(ctx);
      if (user.mfa.enabled) throw precondition('mfa_already_enabled', 'MFA is already enabled');
      const now = ctx.clock.now();
      const pending = user.mfa.pendingTotpSecret;
      const startedAt = user.mfa.pendingCreatedAt;
      if (!pending || !startedAt || now.getTime() - startedAt.getTime() > mfa.enrolmentTtlSeconds * 1000) {
        throw precondition('mfa_enrolment_missing', 'Start MFA enrolment first (or again: it expired)');
      }
      await withMfaAttempt(ctx, user.id, mfa, async () => {
        const check = await checkTotp(pending, input.otpCode, now);
        if (!check.ok || !(await claimTotpStep(ctx.stores.replay, user.id, check.timeStep, now))) {
          throw new AuthError({ kind: 'unauthenticated', reasonCode: check.ok ? 'otp_replayed' : 'otp_invalid', message: 'The MFA code is invalid' });
        }
      });
      await clearMfaAttempts(ctx, user.id, mfa);
      await ctx.stores.users.setMfa(user.id, { totpSecret: pending, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
      const recoveryCodes = await newRecoveryCodes(ctx, user.id, mfa.recoveryCodeCount);
      return { kind: 'reply', subject: { type: 'user', id: user.id }, audit: { mfa: 'enabled' }, reply: { body: { mfaEnabled: true, recoveryCodes } } };
    },
  });

  const regenerate = defineEndpoint({
    id: `${strategyId}.mfa.recovery-codes`,
    method: 'POST',
    path: MFA_PATHS.recoveryCodes,
    dialect: 'bytebase',
    requestSchema: codeProof,
    responseSchema: recoveryCodesResponseSchema,
    openapi: { summary: 'Replace the recovery codes (needs a current code); returns them once', tags: ['MFA'], operationId: 'regenerateRecoveryCodes' },
    async handle(input, ctx) {
      const user = await currentUser(ctx);
      await requireCurrentCode(ctx, user, input, mfa);
      const recoveryCodes = await newRecoveryCodes(ctx, user.id, mfa.recoveryCodeCount);
      return { kind: 'reply', subject: { type: 'user', id: user.id }, audit: { mfa: 'recovery_codes_regenerated' }, reply: { body: { mfaEnabled: true, recoveryCodes } } };
    },
  });

  const disable = defineEndpoint({
    id: `${strategyId}.mfa.disable`,
    method: 'POST',
    path: MFA_PATHS.disable,
    dialect: 'bytebase',
    requestSchema: codeProof,
    responseSchema: disableResponseSchema,
    openapi: { summary: 'Turn MFA off (needs a current code)', tags: ['MFA'], operationId: 'disableMfa' },
    async handle(input, ctx) {
      const user = await currentUser(ctx);
      await requireCurrentCode(ctx, user, input, mfa);
      await ctx.stores.users.setMfa(user.id, { totpSecret: null, pendingTotpSecret: null, pendingCreatedAt: null, enabled: false });
      await ctx.stores.users.replaceRecoveryCodes(user.id, []);
      return { kind: 'reply', subject: { type: 'user', id: user.id }, audit: { mfa: 'disabled' }, reply: { body: { mfaEnabled: false } } };
    },
  });

  return [enroll, confirm, regenerate, disable] as EndpointDefinition<never>[];
}
