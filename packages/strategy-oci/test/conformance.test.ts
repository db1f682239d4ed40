/**
 * The strategy conformance kit, with the OCI Identity emulator verifying oci-common signatures. Declared: a
 * signed body logs in once (its signature is claimed in the replay store) and only within ±5 minutes of
 * the clock (the signed `x-date`). Not declared, and why: `identityId` is matched exactly and an unknown
 * one is a 404, as Infisical answers (seed 001); the signature is verified by OCI, not compared here.
 */
import { buildOciLoginBody } from '@gatehouse-auth/client';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { createOciIdentityEmulator, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import { ociStrategy } from '../src/index.js';
import { HOST, credentialsOf, ociUsers } from './fixtures.js';

const { tenancy, ciBot, outsider } = ociUsers();
let emu: OciIdentityEmulator | undefined;

runStrategyConformance('oci', {
  async strategy() {
    emu = await createOciIdentityEmulator({ users: [ciBot, outsider] });
    return ociStrategy({ relayOverride: { origins: { [HOST]: emu.url } } });
  },
  async setup(gatehouse, clock) {
    const identity = await gatehouse.admin.createIdentity({ name: 'conformance' });
    await gatehouse.admin.attachMethod(identity.id, 'oci', { tenancyOcid: tenancy, allowedUsernames: ['ci-bot'] });
    // RSA PKCS#1 v1.5 is deterministic and dates have one-second resolution: each body is signed at its own
    // second, counting up from 290 s before this Gatehouse's clock, so the few hundred bodies a kit run signs
    // stay inside the ±5 min window of both the strategy (injected clock) and the emulator (real time).
    const first = Math.floor(clock.now().getTime() / 1000) - 290;
    let n = 0;
    const body = async (user: typeof ciBot) =>
      (await buildOciLoginBody({ identityId: identity.id, ...credentialsOf(user), now: new Date((first + n++) * 1000) })) as unknown as Record<string, unknown>;
    return {
      validBody: () => body(ciBot),
      // Signed with a key OCI does not know for ci-bot: refused by the emulator's signature check.
      invalidCredentialsBody: () => body({ ...ciBot, privateKeyPem: outsider.privateKeyPem }),
      secrets: [ciBot.privateKeyPem, outsider.privateKeyPem],
      declares: {
        singleUse: true,
        timeWindow: { field: 'headers.x-date', seconds: 300 },
      },
    };
  },
  teardown: async () => {
    await emu?.close();
  },
});
