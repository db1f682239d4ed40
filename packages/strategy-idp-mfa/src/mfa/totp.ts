/**
 * TOTP (RFC 6238) through otplib: SHA-1, 6 digits, 30-second steps, as every authenticator app expects.
 * A code is accepted one step either side of the injected clock, and each accepted step is claimed in
 * the replay store so the same code cannot be used twice while it is still valid.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import type { ReplayStore } from '@gatehouse-auth/core';

export const TOTP_PERIOD_SECONDS = 30;
/** One step either side: the tolerance is in seconds for otplib. */
const EPOCH_TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

/** 20 random bytes (160 bits, RFC 4226's recommendation), Base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(input: { issuer: string; account: string; secret: string }): string {
  return generateURI({ issuer: input.issuer, label: input.account, secret: input.secret });
}

export type TotpCheck = { ok: true; timeStep: number } | { ok: false };

/** Verifies a code (surrounding whitespace ignored) at the injected time. Constant-time inside otplib. */
export async function checkTotp(secret: string, code: string, now: Date): Promise<TotpCheck> {
  const token = code.trim();
  if (!/^\d{6}$/.test(token)) return { ok: false };
  try {
    const result = await verify({
      secret,
      token,
      epoch: Math.floor(now.getTime() / 1000),
      epochTolerance: EPOCH_TOLERANCE_SECONDS,
      period: TOTP_PERIOD_SECONDS,
    });
    // The functional API's result type covers HOTP too; a TOTP match always carries its time step.
    return result.valid && 'timeStep' in result ? { ok: true, timeStep: result.timeStep } : { ok: false };
  } catch {
    // A corrupt stored secret must not turn into a 500 for the caller; it simply never matches.
    return { ok: false };
  }
}

/**
 * Claims the time step a code belonged to. A step's code is accepted until the end of the following step,
 * so the claim lives that long; of concurrent claims exactly one wins.
 */
export function claimTotpStep(replay: ReplayStore, userId: string, timeStep: number, now: Date): Promise<boolean> {
  const validUntil = new Date((timeStep + 2) * TOTP_PERIOD_SECONDS * 1000);
  return replay.claim('totp', `${userId}:${timeStep}`, validUntil, now);
}
