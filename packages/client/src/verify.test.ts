import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatehouse, ManualClock, type Gatehouse } from '@gatehouse-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteVerifier, TokenVerificationError } from './verify.js';

let server: Server;
let gh: Gatehouse;
let jwksUrl: string;
let fetches = 0;
/** Whose JWKS the test server publishes (one test swaps in a Gatehouse with a manual clock). */
let jwksSource: () => Gatehouse = () => gh;
const subject = { type: 'identity' as const, id: 'machine-1' };

beforeAll(async () => {
  gh = createGatehouse({ issuer: { issuer: 'https://auth.test', audience: 'api' }, introspectionSecret: INTROSPECTION_SECRET });
  server = createServer(async (_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(await jwksSource().issuer.jwks()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await gh.close();
});

describe('createRemoteVerifier', () => {
  it('verifies tokens from the JWKS over HTTP, and refuses wrong audience, tampering and untrusted IPs', async () => {
    const verifier = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api' });
    const issued = await gh.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTrustedIps: ['10.0.0.0/8'] } });
    const p = await verifier.verify(issued.token, { clientIp: '10.2.3.4' });
    expect(p).toMatchObject({ subject, tokenId: issued.jti, authMethod: 'fake' });
    await expect(verifier.verify(issued.token, { clientIp: '192.168.0.1' })).rejects.toMatchObject({ reasonCode: 'ip_not_trusted', kind: 'forbidden' });
    const other = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'other' });
    await expect(other.verify(issued.token)).rejects.toBeInstanceOf(TokenVerificationError);
    const [h, , s] = issued.token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', sub_type: 'user', jti: 'x', iat: 1, exp: 9e9, iss: 'https://auth.test', aud: 'api' })).toString('base64url')}.${s}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reasonCode: 'token_invalid' });
  });

  it('picks up a rotated key once it signs and the cooldown allows a refetch', async () => {
    // Started a propagation window ago, so the rotated key's first tokens carry today's iat/nbf.
    const clock = new ManualClock(Date.now() - 600_000);
    const rotating = createGatehouse({ clock, issuer: { issuer: 'https://auth.test', audience: 'api' } });
    jwksSource = () => rotating;
    try {
      const verifier = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api', cooldownMs: 0 });
      await verifier.verify((await rotating.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' })).token);
      const next = await rotating.issuer.rotateKeys();
      clock.advanceSeconds(600);
      const rotated = await rotating.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
      expect(rotated.kid).toBe(next);
      await expect(verifier.verify(rotated.token)).resolves.toBeTruthy();
    } finally {
      jwksSource = () => gh;
      await rotating.close();
    }
  });

  it('a burst of forged kids costs at most one JWKS refetch inside the cooldown', async () => {
    const verifier = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api', cooldownMs: 60_000 });
    const issued = await gh.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
    await verifier.verify(issued.token);
    const before = fetches;
    const [, p, s] = issued.token.split('.');
    const bogus = (kid: string) => `${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid })).toString('base64url')}.${p}.${s}`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => verifier.verify(bogus(`forged-${i}`))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(fetches - before).toBeLessThanOrEqual(1);
  });

  it('a ManualClock-expired token is refused by the verifier (wall clock)', async () => {
    const clock = new ManualClock('2020-01-01T00:00:00Z');
    const old = createGatehouse({ clock, stores: gh.stores, issuer: { issuer: 'https://auth.test', audience: 'api' } });
    const issued = await old.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1', settings: { accessTokenTTL: 60 } });
    const verifier = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api' });
    await expect(verifier.verify(issued.token)).rejects.toMatchObject({ reasonCode: 'token_expired' });
  });
});

const INTROSPECTION_SECRET = 'client-test-introspection-secret';

describe('createRemoteVerifier with introspection', () => {
  it('refuses a revoked token that still verifies offline, and reports an unreachable server as unavailable', async () => {
    const api = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const response = await gh.handle({
        method: req.method!, path: req.url!, headers: req.headers, socketAddress: '127.0.0.1', protocol: 'http',
        body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined,
      });
      res.writeHead(response.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response.body));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const anonymous = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api', introspection: { url: `${base}/api/v1/auth/token/introspect` } });
      const verifier = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api', introspection: { url: `${base}/api/v1/auth/token/introspect`, secret: INTROSPECTION_SECRET } });
      const issued = await gh.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
      await expect(verifier.verify(issued.token)).resolves.toMatchObject({ tokenId: issued.jti });
      // The server refuses a resource server that does not authenticate (RFC 7662 §2.1).
      await expect(anonymous.verify(issued.token)).rejects.toMatchObject({ reasonCode: 'introspection_status_401', kind: 'unavailable' });
      await gh.issuer.revoke(issued.token);
      await expect(verifier.verify(issued.token)).rejects.toMatchObject({ reasonCode: 'token_inactive', kind: 'unauthenticated' });
      const down = createRemoteVerifier({ jwksUrl, issuer: 'https://auth.test', audience: 'api', introspection: { url: 'http://127.0.0.1:1/introspect', timeoutMs: 500 } });
      const fresh = await gh.issuer.issue({ subject, authMethod: 'fake', clientIp: '10.0.0.1' });
      await expect(down.verify(fresh.token)).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      await new Promise((r) => api.close(r));
    }
  });
});
