/**
 * The strategy conformance kit, once for the token form and once for the redirect form. Declared: usernames
 * fold (NFKC, trim, case) into one account and one lockout counter of 5 failures; an unknown username and a
 * wrong password get the same answer after the same argon2 work (the cheap parameters here; the real cost is
 * test/enumeration-timing.test.ts); `login_state` takes unknown properties, as the seed says. The password
 * is compared by argon2 (native), so there is no constant-time comparison for the kit to observe.
 */
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { runStrategyConformance, type StrategyDeclarations } from '@gatehouse-auth/testing/conformance';
import { ecePasswordStrategy } from '../src/index.js';
import { CHEAP_ARGON2 } from '../src/test-support/harness.js';

const PASSWORD = 'conformance-Pa55word!';
const WRONG = 'not-the-Pa55word!!!!!';

const declares = (loginState?: { path: string }): StrategyDeclarations => ({
  openObjects: ['login_state'],
  identifier: { field: 'username', lockoutAfter: 5 },
  enumeration: {
    unknownBody: () => ({ username: 'nobody-here', password: WRONG, ...(loginState ? { login_state: loginState } : {}) }),
    wrongSecretBody: () => ({ username: 'conformance', password: WRONG, ...(loginState ? { login_state: loginState } : {}) }),
  },
});

runStrategyConformance('ece-password', {
  strategy: () => ecePasswordStrategy({ argon2: CHEAP_ARGON2 }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conformance', password: PASSWORD }, { now: clock.now(), params: CHEAP_ARGON2 });
    return {
      validBody: () => ({ username: 'Conformance', password: PASSWORD }),
      invalidCredentialsBody: () => ({ username: 'conformance', password: WRONG }),
      secrets: [PASSWORD],
      declares: declares(),
    };
  },
});

runStrategyConformance('ece-password (redirect form)', {
  strategy: () => ecePasswordStrategy({ argon2: CHEAP_ARGON2 }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conformance', password: PASSWORD }, { now: clock.now(), params: CHEAP_ARGON2 });
    return {
      validBody: () => ({ username: 'conformance', password: PASSWORD, login_state: { path: '/deployments' } }),
      invalidCredentialsBody: () => ({ username: 'conformance', password: WRONG, login_state: { path: '/deployments' } }),
      secrets: [PASSWORD],
      declares: declares({ path: '/deployments' }),
    };
  },
});
