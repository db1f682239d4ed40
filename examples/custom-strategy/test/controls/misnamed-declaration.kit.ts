/**
 * A control for the kit's own guard rails (run by kit-mutation.test.ts, not on its own): the example strategy
 * with a declaration that names a field its request schema does not have. The kit must refuse to run rather
 * than test nothing and pass.
 */
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { signedRequestStrategy } from '../../src/signed-request-strategy.js';
import { signedRequestKit } from '../../src/test-support/signed-request-kit.js';

const kit = signedRequestKit(signedRequestStrategy);

runStrategyConformance('control: a misnamed declaration', {
  ...kit,
  async setup(gatehouse, clock) {
    const fixture = await kit.setup(gatehouse, clock);
    return { ...fixture, declares: { ...fixture.declares, timeWindow: { field: 'ts', seconds: 300 } } };
  },
});
