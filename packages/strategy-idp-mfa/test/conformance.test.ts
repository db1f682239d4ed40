/**
 * The strategy conformance kit, for each way in: email + password, an OIDC code, and the MFA step.
 * - password: emails fold (NFKC, trim, case) into one account and one lockout counter of 5 failures; an
 *   unknown email and a wrong password get the same answer after the same argon2 work.
 * - OIDC: an authorization code logs in once (the IdP redeems it once; of 20 concurrent redemptions one wins).
 * - MFA step: a temp token with its code logs in once, and a TOTP code that has logged in once is refused
 *   with a fresh temp token inside its window (Vault CVE-2025-6015's class).
 * Not declared: a constant-time comparison (passwords go through argon2, TOTP through otplib, recovery codes
 * are compared as hashes in the store), and enumeration for the IdP path (there is no secret to get wrong).
 */
import type { Gatehouse, ManualClock } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { generate } from 'otplib';
import { generateRecoveryCodes, hashRecoveryCode, idpMfaStrategy, LOGIN_PATH, newTotpSecret, TOTP_PERIOD_SECONDS } from '../src/index.js';
import { TEST_ARGON2 } from './support/app.js';
import { CLIENT_SECRET, startTestIdp, type TestIdp } from './support/oidc-idp.js';

const PASSWORD = 'conformance-password-7f3a9c';
const WRONG = 'not-the-password-000000000';

runStrategyConformance('idp-mfa (password)', {
  strategy: () => idpMfaStrategy({ password: { params: TEST_ARGON2 } }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conf@example.com', email: 'conf@example.com', password: PASSWORD }, { now: clock.now(), params: TEST_ARGON2 });
    return {
      validBody: () => ({ email: 'conf@example.com', password: PASSWORD }),
      invalidCredentialsBody: () => ({ email: 'conf@example.com', password: WRONG }),
      secrets: [PASSWORD],
      declares: {
        identifier: { field: 'email', lockoutAfter: 5 },
        enumeration: {
          unknownBody: () => ({ email: 'nobody@example.com', password: WRONG }),
          wrongSecretBody: () => ({ email: 'conf@example.com', password: WRONG }),
        },
      },
    };
  },
});

let idp: TestIdp | undefined;
runStrategyConformance('idp-mfa (OIDC)', {
  async strategy() {
    idp = await startTestIdp({ alice: { sub: 'alice', email: 'alice@example.com', email_verified: true } });
    return idpMfaStrategy({
      idps: {
        corp: { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: idp.redirectUri, jit: true, allowInsecureHttpForTesting: true },
      },
    });
  },
  async setup() {
    return {
      validBody: async () => ({ idpName: 'idps/corp', idpContext: { oidcContext: { code: await idp!.authorizationCode('alice') } } }),
      invalidCredentialsBody: () => ({ idpName: 'idps/corp', idpContext: { oidcContext: { code: 'forged-code' } } }),
      secrets: [CLIENT_SECRET],
      declares: { singleUse: true },
    };
  },
  teardown: async () => {
    await idp?.close();
  },
});

/** The code an authenticator shows at the injected time. */
const totpAt = (secret: string, clock: ManualClock) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

async function firstStep(gatehouse: Gatehouse, email: string): Promise<string> {
  const res = await gatehouse.handle({
    method: 'POST',
    path: LOGIN_PATH,
    headers: { 'content-type': 'application/json' },
    socketAddress: '127.0.0.1',
    protocol: 'https',
    body: { email, password: PASSWORD },
  });
  const token = (res.body as { mfaTempToken?: string }).mfaTempToken;
  if (res.status !== 200 || !token) throw new Error(`the first step failed: ${res.status} ${JSON.stringify(res.body)}`);
  return token;
}

runStrategyConformance('idp-mfa (MFA step, TOTP)', {
  strategy: () => idpMfaStrategy({ password: { params: TEST_ARGON2 } }),
  async setup(gatehouse, clock) {
    const email = 'mfa@example.com';
    const user = await createPasswordUser(gatehouse.stores, { username: email, email, password: PASSWORD }, { now: clock.now(), params: TEST_ARGON2 });
    const totpSecret = newTotpSecret();
    const recoveryCodes = generateRecoveryCodes(10);
    await gatehouse.stores.users.setMfa(user.id, { totpSecret, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    await gatehouse.stores.users.replaceRecoveryCodes(user.id, recoveryCodes.map(hashRecoveryCode));
    const body = async (code: (c: string) => string) => {
      // Each body at the next TOTP step: its code has not been used yet.
      clock.advance(TOTP_PERIOD_SECONDS * 1000);
      return { mfaTempToken: await firstStep(gatehouse, email), otpCode: code(await totpAt(totpSecret, clock)) };
    };
    return {
      validBody: () => body((c) => c),
      invalidCredentialsBody: () => body((c) => String((Number(c) + 1) % 1_000_000).padStart(6, '0')),
      secrets: [PASSWORD, totpSecret, ...recoveryCodes],
      declares: { singleUse: { fields: ['otpCode'] } },
    };
  },
});
