import { createSign } from 'node:crypto';
import { DefaultRequestSigner, SimpleAuthenticationDetailsProvider } from 'oci-common';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOciIdentityEmulator, type OciIdentityEmulator } from './emulator.js';
import { createOciTestUser, ociKeyFingerprint, randomOcid, type OciTestUser } from './test-users.js';

const OCI_HOST = 'identity.us-ashburn-1.oraclecloud.com';

/** Signs `GET https://<host><path>` with the official SDK signer, exactly as an OCI client would. */
async function sign(user: Pick<OciTestUser, 'tenancyId' | 'id' | 'fingerprint' | 'privateKeyPem'>, path: string, opts: { host?: string; date?: Date } = {}) {
  const provider = new SimpleAuthenticationDetailsProvider(user.tenancyId, user.id, user.fingerprint, user.privateKeyPem, null);
  const headers = new Headers();
  if (opts.date) {
    headers.set('x-date', opts.date.toUTCString());
    headers.set('date', opts.date.toUTCString());
  }
  await new DefaultRequestSigner(provider).signHttpRequest({ method: 'GET', headers, uri: `https://${opts.host ?? OCI_HOST}${path}` });
  return Object.fromEntries(headers.entries()) as Record<string, string>;
}

describe('OCI Identity emulator', () => {
  let emu: OciIdentityEmulator;
  const alice = createOciTestUser({ name: 'alice' });
  const bob = createOciTestUser({ name: 'bob', tenancyId: alice.tenancyId });
  const admin = createOciTestUser({ name: 'admin', tenancyId: alice.tenancyId });
  const outsider = createOciTestUser({ name: 'alice' });
  const inactive = createOciTestUser({ name: 'gone', tenancyId: alice.tenancyId });
  const alicePath = `/20160918/users/${alice.id}`;

  const get = async (path: string, headers: Record<string, string>) => {
    const res = await request(`${emu.url}${path}`, { method: 'GET', headers });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    emu = await createOciIdentityEmulator({
      users: [
        { ...alice, email: 'alice@example.com' },
        bob,
        { ...admin, canReadTenancyUsers: true },
        outsider,
        { ...inactive, lifecycleState: 'INACTIVE' },
      ],
      slowMs: 60_000,
    });
  });
  afterAll(() => emu.close());

  it('accepts a request signed by oci-common and answers with the OCI User model', async () => {
    const res = await get(alicePath, await sign(alice, alicePath));
    expect(res.status).toBe(200);
    expect(res.headers['opc-request-id']).toMatch(/^[0-9A-F]{32}$/);
    expect(res.body).toMatchObject({
      id: alice.id,
      compartmentId: alice.tenancyId,
      name: 'alice',
      email: 'alice@example.com',
      lifecycleState: 'ACTIVE',
      isMfaActivated: false,
    });
    expect(typeof res.body.timeCreated).toBe('string');
    expect(res.body).toHaveProperty('capabilities.canUseApiKeys', true);
  });

  it('verifies the signed host as received, so a request signed for the loopback address also works', async () => {
    const host = new URL(emu.url).host;
    const res = await get(alicePath, await sign(alice, alicePath, { host }));
    expect(res.status).toBe(200);
  });

  it('reports the lifecycle state of an inactive user', async () => {
    const path = `/20160918/users/${inactive.id}`;
    const res = await get(path, await sign(inactive, path));
    expect(res.status).toBe(200);
    expect(res.body.lifecycleState).toBe('INACTIVE');
  });

  describe('refuses the signature after any change', () => {
    const notAuthenticated = { code: 'NotAuthenticated', message: expect.any(String) };

    it('to the signed host header', async () => {
      const headers = await sign(alice, alicePath);
      const res = await get(alicePath, { ...headers, host: 'identity.us-phoenix-1.oraclecloud.com' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notAuthenticated);
    });

    it('to the signed x-date header (one second later)', async () => {
      const headers = await sign(alice, alicePath);
      const later = new Date(Date.parse(headers['x-date']!) + 1000).toUTCString();
      const res = await get(alicePath, { ...headers, 'x-date': later });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notAuthenticated);
    });

    it('to the path (another user, or an added query string)', async () => {
      const headers = await sign(alice, alicePath);
      expect((await get(`/20160918/users/${bob.id}`, headers)).status).toBe(401);
      expect((await get(`${alicePath}?x=1`, headers)).status).toBe(401);
    });

    it('to the key (signed with another private key under the same keyId)', async () => {
      const other = createOciTestUser();
      const headers = await sign({ ...alice, privateKeyPem: other.privateKeyPem }, alicePath);
      const res = await get(alicePath, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notAuthenticated);
    });

    it('to the fingerprint in the keyId', async () => {
      const other = createOciTestUser();
      const headers = await sign({ ...alice, fingerprint: other.fingerprint }, alicePath);
      expect((await get(alicePath, headers)).status).toBe(401);
    });

    it('to the tenancy in the keyId', async () => {
      const headers = await sign({ ...alice, tenancyId: randomOcid('tenancy') }, alicePath);
      expect((await get(alicePath, headers)).status).toBe(401);
    });

    it('to the signature bytes, the algorithm or the version', async () => {
      const headers = await sign(alice, alicePath);
      const auth = headers.authorization!;
      const sig = /signature="([^"]+)"/.exec(auth)![1]!;
      const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      for (const authorization of [
        auth.replace(sig, flipped),
        auth.replace('rsa-sha256', 'hmac-sha256'),
        auth.replace('version="1"', 'version="2"'),
        auth.replace('keyId=', 'keyId="x",keyId='),
      ]) {
        expect((await get(alicePath, { ...headers, authorization })).status).toBe(401);
      }
    });

    it('when the signed header list leaves out the date or the host', async () => {
      const headers = await sign(alice, alicePath);
      for (const list of ['(request-target) host', 'x-date (request-target)']) {
        const authorization = headers.authorization!.replace(/headers="[^"]+"/, `headers="${list}"`);
        expect((await get(alicePath, { ...headers, authorization })).status).toBe(401);
      }
    });
  });

  it('reads the clock from the signed date only: a fresh unsigned x-date does not revive a stale signature', async () => {
    // A client that signs `date` (the OCI SDKs sign `x-date`, but `date` is as valid), by hand: draft-cavage.
    const signDateOnly = (date: Date) => {
      const dateText = date.toUTCString();
      const data = `date: ${dateText}\n(request-target): get ${alicePath}\nhost: ${OCI_HOST}`;
      const signature = createSign('RSA-SHA256').update(data).sign(alice.privateKeyPem, 'base64');
      const keyId = `${alice.tenancyId}/${alice.id}/${alice.fingerprint}`;
      return {
        host: OCI_HOST,
        date: dateText,
        authorization: `Signature version="1",keyId="${keyId}",algorithm="rsa-sha256",headers="date (request-target) host",signature="${signature}"`,
      };
    };
    const stale = signDateOnly(new Date(Date.now() - 10 * 60_000));
    expect((await get(alicePath, stale)).status).toBe(401);
    expect((await get(alicePath, { ...stale, 'x-date': new Date().toUTCString() })).status).toBe(401);
    // Control: the same construction with a fresh date passes.
    expect((await get(alicePath, signDateOnly(new Date()))).status).toBe(200);
  });

  it('refuses a date outside ±5 minutes of its clock', async () => {
    const stale = await sign(alice, alicePath, { date: new Date(Date.now() - 6 * 60_000) });
    expect((await get(alicePath, stale)).status).toBe(401);
    const future = await sign(alice, alicePath, { date: new Date(Date.now() + 6 * 60_000) });
    expect((await get(alicePath, future)).status).toBe(401);
    const recent = await sign(alice, alicePath, { date: new Date(Date.now() - 4 * 60_000) });
    expect((await get(alicePath, recent)).status).toBe(200);
  });

  it('answers 404 NotAuthorizedOrNotFound for another user without a policy, and for unknown users', async () => {
    const bobPath = `/20160918/users/${bob.id}`;
    const res = await get(bobPath, await sign(alice, bobPath));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'NotAuthorizedOrNotFound', message: expect.any(String) });
    const unknown = `/20160918/users/${randomOcid('user')}`;
    expect((await get(unknown, await sign(alice, unknown))).status).toBe(404);
  });

  it('lets a user with an inspect-users policy read other users of its tenancy, not of another tenancy', async () => {
    const alicePathSignedByAdmin = await sign(admin, alicePath);
    const res = await get(alicePath, alicePathSignedByAdmin);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.id);
    const outsiderPath = `/20160918/users/${outsider.id}`;
    expect((await get(outsiderPath, await sign(admin, outsiderPath))).status).toBe(404);
  });

  it('refuses unsigned requests and other routes', async () => {
    const res = await get(alicePath, { host: OCI_HOST });
    expect(res.status).toBe(401);
    expect((await get('/20160918/groups', await sign(alice, '/20160918/groups'))).status).toBe(404);
  });

  describe('fault modes', () => {
    afterAll(() => emu.setFault(null));

    it('500 answers OCI InternalServerError', async () => {
      emu.setFault('500');
      const res = await get(alicePath, await sign(alice, alicePath));
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('InternalServerError');
    });

    it('garbage answers 200 with a non-JSON body', async () => {
      emu.setFault('garbage');
      const res = await request(`${emu.url}${alicePath}`, { headers: await sign(alice, alicePath) });
      expect(res.statusCode).toBe(200);
      const text = await res.body.text();
      expect(() => JSON.parse(text)).toThrow();
    });

    it('reset drops the connection', async () => {
      emu.setFault('reset');
      await expect(request(`${emu.url}${alicePath}`, { headers: await sign(alice, alicePath) })).rejects.toThrow();
    });

    it('slow holds the answer past a client timeout', async () => {
      emu.setFault('slow');
      const before = emu.requestCount;
      await expect(
        request(`${emu.url}${alicePath}`, { headers: await sign(alice, alicePath), headersTimeout: 200 }),
      ).rejects.toThrow(/timeout/i);
      expect(emu.requestCount).toBe(before + 1);
    });
  });

  it('counts and records requests, with the headers as received', async () => {
    emu.setFault(null);
    const before = emu.requestCount;
    await get(alicePath, await sign(alice, alicePath));
    expect(emu.requestCount).toBe(before + 1);
    const last = emu.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', target: alicePath, status: 200 });
    expect(last.headers.host).toBe(OCI_HOST);
  });

  it('computes fingerprints as OCI does (MD5 of the DER public key, colon hex)', () => {
    expect(alice.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(ociKeyFingerprint(alice.publicKeyPem)).toBe(alice.fingerprint);
    expect(ociKeyFingerprint(bob.publicKeyPem)).not.toBe(alice.fingerprint);
  });
});
