import { describe, expect, it } from 'vitest';
import { createGatehouse } from '../runtime/container.js';
import { fakeStrategy } from '../test-support/fake-strategy.js';

describe('pipeline smoke', () => {
  it('logs in and verifies', async () => {
    const gh = createGatehouse({ strategies: [fakeStrategy()] });
    const id = await gh.admin.createIdentity({ name: 'x' });
    await gh.admin.attachMethod(id.id, 'fake', { secret: 'supersecret' });
    const res = await gh.handle({
      method: 'POST', path: '/api/v1/auth/fake/login', headers: {}, socketAddress: '127.0.0.1', protocol: 'http',
      body: { identityId: id.id, name: 'a', secret: 'supersecret' },
    });
    expect(res.status).toBe(200);
    const body = res.body as { accessToken: string };
    const v = await gh.issuer.verify(body.accessToken);
    expect(v.subject.id).toBe(id.id);
    await gh.close();
  });
});
