import { createGatehouse, ManualClock } from '@gatehouse-auth/core';
import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';
import { describe, expect, it } from 'vitest';
import { generateSigningSecret, signLoginRequest } from './signed-request-client.js';
import { SIGNED_REQUEST_PATH, signedRequestStrategy } from './signed-request-strategy.js';
import { signedRequestKit } from './test-support/signed-request-kit.js';

runStrategyConformance('signed-request (examples/custom-strategy)', signedRequestKit(signedRequestStrategy));

describe('signed-request strategy', () => {
  const request = (body: unknown) => ({ method: 'POST', path: SIGNED_REQUEST_PATH, headers: { 'content-type': 'application/json' }, socketAddress: '127.0.0.1', protocol: 'https' as const, body });

  it('refuses a config whose secret is not 32 bytes of base64url when it is written, naming the field', async () => {
    const gh = createGatehouse({ strategies: [signedRequestStrategy()] });
    const identity = await gh.admin.createIdentity({ name: 'x' });
    await expect(gh.admin.attachMethod(identity.id, 'signed-request', { secret: 'short' })).rejects.toMatchObject({ fields: ['config.secret'] });
  });

  it('issues a token for the signing identity only, and puts the label in the audit event', async () => {
    const events: unknown[] = [];
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const gh = createGatehouse({ strategies: [signedRequestStrategy()], clock, audit: (e) => void events.push(e) });
    const a = await gh.admin.createIdentity({ name: 'a' });
    const b = await gh.admin.createIdentity({ name: 'b' });
    const keyA = generateSigningSecret();
    await gh.admin.attachMethod(a.id, 'signed-request', keyA.config);
    await gh.admin.attachMethod(b.id, 'signed-request', generateSigningSecret().config);
    const ok = await gh.handle(request(signLoginRequest({ identityId: a.id, secret: keyA.secret, now: clock.now(), label: ' deploy #42 ' })));
    expect(ok.status).toBe(200);
    expect((await gh.issuer.verify((ok.body as { accessToken: string }).accessToken)).subject).toEqual({ type: 'identity', id: a.id });
    expect(events.at(-1)).toMatchObject({ type: 'login.succeeded', detail: { label: 'deploy #42' } });
    // A's secret does not sign for B.
    expect((await gh.handle(request(signLoginRequest({ identityId: b.id, secret: keyA.secret, now: clock.now() })))).status).toBe(401);
  });
});
