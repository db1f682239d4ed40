/**
 * A control for the kit's timing check (run by kit-mutation.test.ts, not on its own): a password strategy
 * that answers an unknown user exactly like a wrong password — same status, same body — but skips the
 * password hash for it, the mistake a dummy hash exists to prevent. Only the timing comparison can see it.
 */
import { AuthError, defineStrategy, tokenResponseSchema } from '@gatehouse-auth/core';
import { PasswordVerifier, createPasswordUser, normaliseUsername } from '@gatehouse-auth/core/password';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { z } from 'zod';

const ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'control-password-0123';

function leakyPasswordStrategy() {
  const verifier = new PasswordVerifier(ARGON2);
  return defineStrategy({
    id: 'leaky-password',
    route: { method: 'POST', path: '/api/v1/auth/leaky-password/login' },
    dialect: 'infisical',
    requestSchema: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
    responseSchema: tokenResponseSchema,
    async authenticate(input, ctx) {
      const user = await ctx.stores.users.getByUsername(normaliseUsername(input.username));
      const refused = new AuthError({ kind: 'unauthenticated', reasonCode: 'invalid_credentials', message: 'Invalid username or password' });
      if (!user?.passwordHash) throw refused; // the mistake: no hash for unknown users
      if (!(await verifier.verify(user.passwordHash, input.password)).ok) throw refused;
      return { kind: 'authenticated', subject: { type: 'user', id: user.id } };
    },
  });
}

runStrategyConformance('control: password strategy without a dummy hash', {
  strategy: leakyPasswordStrategy,
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'control', password: PASSWORD }, { now: clock.now(), params: ARGON2 });
    return {
      validBody: () => ({ username: 'control', password: PASSWORD }),
      invalidCredentialsBody: () => ({ username: 'control', password: 'wrong-password-0123' }),
      secrets: [PASSWORD],
      declares: {
        enumeration: {
          unknownBody: () => ({ username: 'nobody', password: 'wrong-password-0123' }),
          wrongSecretBody: () => ({ username: 'control', password: 'wrong-password-0123' }),
        },
      },
    };
  },
});
