/** The strategy conformance suite every login strategy passes (contract, OpenAPI, hostile input, log hygiene). */
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { ecePasswordStrategy } from '../src/index.js';
import { CHEAP_ARGON2 } from '../src/test-support/harness.js';

const PASSWORD = 'conformance-Pa55word!';

runStrategyConformance('ece-password', {
  strategy: () => ecePasswordStrategy({ argon2: CHEAP_ARGON2 }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conformance', password: PASSWORD }, { now: clock.now(), params: CHEAP_ARGON2 });
    return {
      validBody: () => ({ username: 'Conformance', password: PASSWORD }),
      invalidCredentialsBody: () => ({ username: 'conformance', password: 'wrong' }),
      secrets: [PASSWORD],
    };
  },
});

runStrategyConformance('ece-password (redirect form)', {
  strategy: () => ecePasswordStrategy({ argon2: CHEAP_ARGON2 }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conformance', password: PASSWORD }, { now: clock.now(), params: CHEAP_ARGON2 });
    return {
      validBody: () => ({ username: 'conformance', password: PASSWORD, login_state: { path: '/deployments' } }),
      invalidCredentialsBody: () => ({ username: 'conformance', password: 'wrong', login_state: { path: '/deployments' } }),
      secrets: [PASSWORD],
    };
  },
});
