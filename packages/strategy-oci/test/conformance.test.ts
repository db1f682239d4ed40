/** The shared strategy conformance suite, with the OCI Identity emulator verifying oci-common signatures. */
import { buildOciLoginBody } from '@gatehouse-auth/client';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { createOciIdentityEmulator, type OciIdentityEmulator } from '@gatehouse-auth/testing/oci';
import { ociStrategy } from '../src/index.js';
import { HOST, credentialsOf, ociUsers, signingSeconds } from './fixtures.js';

const { tenancy, ciBot, outsider } = ociUsers();
const nextSecond = signingSeconds();
let emu: OciIdentityEmulator | undefined;

runStrategyConformance('oci', {
  async strategy() {
    emu = await createOciIdentityEmulator({ users: [ciBot, outsider] });
    return ociStrategy({ relayOverride: { origins: { [HOST]: emu.url } } });
  },
  async setup(gatehouse) {
    const identity = await gatehouse.admin.createIdentity({ name: 'conformance' });
    await gatehouse.admin.attachMethod(identity.id, 'oci', { tenancyOcid: tenancy, allowedUsernames: ['ci-bot'] });
    const body = async (user: typeof ciBot) =>
      (await buildOciLoginBody({ identityId: identity.id, ...credentialsOf(user), now: nextSecond() })) as unknown as Record<string, unknown>;
    return {
      validBody: () => body(ciBot),
      // Signed with a key OCI does not know for ci-bot: refused by the emulator's signature check.
      invalidCredentialsBody: () => body({ ...ciBot, privateKeyPem: outsider.privateKeyPem }),
      secrets: [ciBot.privateKeyPem, outsider.privateKeyPem],
      cleanup: async () => {
        await emu?.close();
      },
    };
  },
});
