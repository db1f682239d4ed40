import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { describe, expect, it } from 'vitest';
import { createGatehouse } from '@gatehouse-auth/core';
import { apiKeyStrategy, generateApiKey } from './api-key-strategy.js';

const { apiKey, config } = generateApiKey('ci');

runStrategyConformance('api-key (examples/custom-strategy)', {
  strategy: apiKeyStrategy,
  async setup(gatehouse) {
    const identity = await gatehouse.admin.createIdentity({ name: 'ci' });
    await gatehouse.admin.attachMethod(identity.id, 'api-key', config, { accessTokenTTL: 600 });
    return {
      validBody: () => ({ identityId: identity.id, apiKey }),
      invalidCredentialsBody: () => ({ identityId: identity.id, apiKey: generateApiKey().apiKey }),
      secrets: [apiKey],
      // An unknown identity is a 404, as Infisical answers (ids are not secrets): no enumeration promise.
      // A key is a bearer secret, not single use and not time-bound; its hash is compared here, in constant time.
      declares: { constantTimeComparison: true },
    };
  },
});

describe('api-key strategy', () => {
  it('refuses a config with a malformed hash when it is written, naming the field', async () => {
    const gh = createGatehouse({ strategies: [apiKeyStrategy()] });
    const identity = await gh.admin.createIdentity({ name: 'x' });
    await expect(gh.admin.attachMethod(identity.id, 'api-key', { keyHash: apiKey })).rejects.toMatchObject({ fields: ['config.keyHash'] });
  });

  it('issues a token that verifies, and only for the right identity', async () => {
    const gh = createGatehouse({ strategies: [apiKeyStrategy()] });
    const a = await gh.admin.createIdentity({ name: 'a' });
    const b = await gh.admin.createIdentity({ name: 'b' });
    await gh.admin.attachMethod(a.id, 'api-key', config);
    await gh.admin.attachMethod(b.id, 'api-key', generateApiKey().config);
    const req = (identityId: string) => ({ method: 'POST', path: '/api/v1/auth/api-key/login', headers: {}, socketAddress: '127.0.0.1', protocol: 'http' as const, body: { identityId, apiKey } });
    const ok = await gh.handle(req(a.id));
    expect(ok.status).toBe(200);
    const v = await gh.issuer.verify((ok.body as { accessToken: string }).accessToken);
    expect(v.subject).toEqual({ type: 'identity', id: a.id });
    expect((await gh.handle(req(b.id))).status).toBe(401);
  });
});
