/**
 * The strategy conformance kit, with the STS emulator verifying the client's signatures. Declared: a signed
 * body logs in once (SignatureNonce claimed atomically) and only within ±15 minutes of the clock
 * (Timestamp). Not declared, and why: `identityId` is matched exactly and an unknown one is a 404, as
 * Infisical answers (seed 000) — identity ids are not secrets, so there is no enumeration promise to make;
 * the AccessKey secret is compared by STS, not here, so there is no local comparison to probe.
 */
import { buildAlicloudLoginBody } from '@gatehouse-auth/client';
import { createStsEmulator, type StsEmulator } from '@gatehouse-auth/testing/sts';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { alicloudStrategy } from '../src/index.js';
import { ALICE, BOB } from './harness.js';

let sts: StsEmulator | undefined;

runStrategyConformance('alicloud', {
  async strategy() {
    sts = await createStsEmulator({ accessKeys: [ALICE, BOB] });
    return alicloudStrategy({ stsEndpoints: { global: sts.url } });
  },
  async setup(gatehouse, clock) {
    const identity = await gatehouse.admin.createIdentity({ name: 'conformance' });
    await gatehouse.admin.attachMethod(identity.id, 'alicloud', { allowedArns: [ALICE.arn] });
    const body = (key: typeof ALICE) =>
      buildAlicloudLoginBody({ identityId: identity.id, accessKeyId: key.id, accessKeySecret: key.secret, now: clock.now() }) as unknown as Record<string, unknown>;
    return {
      validBody: () => body(ALICE),
      invalidCredentialsBody: () => body({ ...ALICE, secret: BOB.secret }),
      secrets: [ALICE.secret, BOB.secret],
      declares: {
        singleUse: true,
        timeWindow: { field: 'Timestamp', seconds: 900 },
      },
    };
  },
  teardown: async () => {
    await sts?.close();
  },
});
