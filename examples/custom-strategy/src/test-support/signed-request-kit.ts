/**
 * The conformance kit's options for the signed-request strategy: the fixture and everything the strategy
 * declares. Shared by its own test and by the kit's mutation test, which runs the same declarations
 * against copies of the strategy with one bug planted in each.
 */
import { randomUUID } from 'node:crypto';
import type { StrategyConformanceOptions } from '@gatehouse-auth/testing/conformance';
import { generateSigningSecret, signLoginRequest } from '../signed-request-client.js';
import { SIGNED_REQUEST_METHOD, SIGNED_REQUEST_WINDOW_SECONDS } from '../signed-request-strategy.js';

export function signedRequestKit(strategy: StrategyConformanceOptions['strategy']): StrategyConformanceOptions {
  return {
    strategy,
    async setup(gatehouse, clock) {
      const identity = await gatehouse.admin.createIdentity({ name: 'ci' });
      const { secret, config } = generateSigningSecret();
      const wrong = generateSigningSecret().secret;
      await gatehouse.admin.attachMethod(identity.id, SIGNED_REQUEST_METHOD, config, { accessTokenTTL: 600 });
      // Signed at the injected clock's time, so the kit's clock moves apply.
      const sign = (identityId: string, key = secret) => signLoginRequest({ identityId, secret: key, now: clock.now() });
      const stranger = randomUUID();
      return {
        validBody: () => sign(identity.id),
        invalidCredentialsBody: () => sign(identity.id, wrong),
        // The keys as text and as the bytes the HMAC uses (a hex dump of those is a leak too).
        secrets: [secret, wrong, Buffer.from(secret, 'base64url'), Buffer.from(wrong, 'base64url')],
        declares: {
          singleUse: true,
          timeWindow: { field: 'timestamp', seconds: SIGNED_REQUEST_WINDOW_SECONDS },
          // The identity id is signed: the kit asks for bodies signed for each spelling it tries.
          identifier: { field: 'identityId', lockoutAfter: 5, validBody: (id) => sign(id), wrongSecretBody: (id) => sign(id, wrong) },
          enumeration: { unknownBody: () => sign(stranger), wrongSecretBody: () => sign(identity.id, wrong) },
          constantTimeComparison: true,
        },
      };
    },
  };
}
