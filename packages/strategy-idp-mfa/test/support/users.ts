/** Test users: password users through the core's `createPasswordUser`, optionally with TOTP and recovery codes. */
import { generate } from 'otplib';
import type { ManualClock, NewUser, User } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { generateRecoveryCodes, hashRecoveryCode, newTotpSecret, TOTP_PERIOD_SECONDS } from '../../src/index.js';
import { TEST_ARGON2, type TestApp } from './app.js';

export interface TestUser {
  user: User;
  email: string;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
}

export async function addUser(
  app: TestApp,
  input: { email: string; password?: string; mfa?: boolean } & Partial<Omit<NewUser, 'username' | 'email' | 'passwordHash'>>,
): Promise<TestUser> {
  const { email, password = 'correct horse battery staple', mfa = false, ...rest } = input;
  let user = await createPasswordUser(app.gatehouse.stores, { username: email, email, password, ...rest }, { now: app.clock.now(), params: TEST_ARGON2 });
  let totpSecret = '';
  let recoveryCodes: string[] = [];
  if (mfa) {
    totpSecret = newTotpSecret();
    recoveryCodes = generateRecoveryCodes(10);
    await app.gatehouse.stores.users.setMfa(user.id, { totpSecret, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    await app.gatehouse.stores.users.replaceRecoveryCodes(user.id, recoveryCodes.map(hashRecoveryCode));
    user = (await app.gatehouse.stores.users.getById(user.id))!;
  }
  return { user, email, password, totpSecret, recoveryCodes };
}

/** The code an authenticator app shows at the injected time (optionally some steps away). */
export function totpAt(secret: string, clock: ManualClock, stepOffset = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + stepOffset * TOTP_PERIOD_SECONDS });
}

/** Moves the clock to the start of the next TOTP step, so a fresh code exists. */
export function nextTotpStep(clock: ManualClock): void {
  const ms = clock.now().getTime();
  clock.set(ms - (ms % (TOTP_PERIOD_SECONDS * 1000)) + TOTP_PERIOD_SECONDS * 1000 + 1000);
}
