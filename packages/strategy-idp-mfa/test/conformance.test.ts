/** The shared strategy conformance suite, once for the password path and once for the OIDC path. */
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { idpMfaStrategy } from '../src/index.js';
import { TEST_ARGON2 } from './support/app.js';
import { CLIENT_SECRET, startTestIdp, type TestIdp } from './support/oidc-idp.js';

const PASSWORD = 'conformance-password-7f3a9c';

runStrategyConformance('idp-mfa (password)', {
  strategy: () => idpMfaStrategy({ password: { params: TEST_ARGON2 } }),
  async setup(gatehouse, clock) {
    await createPasswordUser(gatehouse.stores, { username: 'conf@example.com', email: 'conf@example.com', password: PASSWORD }, { now: clock.now(), params: TEST_ARGON2 });
    return {
      validBody: () => ({ email: 'conf@example.com', password: PASSWORD }),
      invalidCredentialsBody: () => ({ email: 'conf@example.com', password: 'wrong-password' }),
      secrets: [PASSWORD],
    };
  },
});

let idp: TestIdp;
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
      validBody: async () => ({ idpName: 'idps/corp', idpContext: { oidcContext: { code: await idp.authorizationCode('alice') } } }),
      invalidCredentialsBody: () => ({ idpName: 'idps/corp', idpContext: { oidcContext: { code: 'forged-code' } } }),
      secrets: [CLIENT_SECRET],
      cleanup: () => idp.close(),
    };
  },
});
