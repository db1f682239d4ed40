// A plugin package's own test, as docs/plugin-authors.md shows it: the strategy conformance kit with what the
// strategy declares. The packaging test copies it (as src/signed-request.test.ts) into a package outside the
// workspace, next to the example strategy's source, with everything installed from tarballs and the registry.
import { randomUUID } from 'node:crypto';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { generateSigningSecret, signLoginRequest } from './signed-request-client.js';
import { SIGNED_REQUEST_WINDOW_SECONDS, signedRequestStrategy } from './signed-request-strategy.js';

runStrategyConformance('signed-request (installed from tarballs)', {
  strategy: signedRequestStrategy,
  async setup(gatehouse, clock) {
    const identity = await gatehouse.admin.createIdentity({ name: 'ci' });
    const { secret, config } = generateSigningSecret();
    const wrong = generateSigningSecret().secret;
    await gatehouse.admin.attachMethod(identity.id, 'signed-request', config);
    const sign = (identityId: string, key = secret) => signLoginRequest({ identityId, secret: key, now: clock.now() });
    const stranger = randomUUID();
    return {
      validBody: () => sign(identity.id),
      invalidCredentialsBody: () => sign(identity.id, wrong),
      secrets: [secret, wrong, Buffer.from(secret, 'base64url')],
      declares: {
        singleUse: true,
        timeWindow: { field: 'timestamp', seconds: SIGNED_REQUEST_WINDOW_SECONDS },
        identifier: { field: 'identityId', lockoutAfter: 5, validBody: (id: string) => sign(id), wrongSecretBody: (id: string) => sign(id, wrong) },
        enumeration: { unknownBody: () => sign(stranger), wrongSecretBody: () => sign(identity.id, wrong) },
        constantTimeComparison: true,
      },
    };
  },
});
