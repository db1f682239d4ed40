/**
 * The strategy conformance kit, with the client chain handed over as the TLS socket's peer chain. Nothing to
 * declare beyond the contract: a certificate login is meant to repeat (no single use), its time checks are the
 * certificates' validity (not a body field; test/decisions.test.ts moves the clock across them), identities are
 * matched exactly and an unknown one is a 404 as Infisical answers (seed 002), and no secret is compared here
 * (signatures are verified). The private keys are declared secrets: none may leak into any output.
 */
import { createCa } from '@gatehouse-auth/testing/certs';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { tlsCertStrategy } from '../src/index.js';
import { pemToDer } from './support/pki.js';

runStrategyConformance('tls-cert', {
  strategy: () => tlsCertStrategy(),
  async setup(gatehouse) {
    const root = await createCa({ commonName: 'Conformance Root' });
    const issuing = await root.issueIntermediate({ commonName: 'Conformance Issuing' });
    const client = await issuing.issue({ commonName: 'client-1' });
    const identity = await gatehouse.admin.createIdentity({ name: 'conformance' });
    const stranger = await gatehouse.admin.createIdentity({ name: 'stranger' });
    await gatehouse.admin.attachMethod(identity.id, 'tls-cert', { caCertificates: [root.certPem], allowedCommonNames: ['client-*'] });
    await gatehouse.admin.attachMethod(stranger.id, 'tls-cert', { caCertificates: [(await createCa({ commonName: 'Elsewhere' })).certPem] });
    return {
      validBody: () => ({ identityId: identity.id }),
      // The same certificate, for an identity that trusts another CA.
      invalidCredentialsBody: () => ({ identityId: stranger.id }),
      request: { protocol: 'https', peerCertificates: pemToDer(client.chainPem) },
      secrets: [client.keyPem, issuing.keyPem, root.keyPem],
    };
  },
});
