import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import RPCClient from '@alicloud/pop-core';
import { ManualClock } from '@gatehouse-auth/core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStsEmulator, type StsAccessKey, type StsEmulator } from './emulator.js';
import { percentEncode } from './rpc-signature.js';

const ACCOUNT = '1234567890123456';
const USER: StsAccessKey = {
  id: 'LTAI5tEmulatorUser0001',
  secret: 'emulatorUserSecret0123456789abcd',
  arn: `acs:ram::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  principalId: '216959339000001',
  identityType: 'RAMUser',
};
const ROLE: StsAccessKey = {
  id: 'STS.NUgYrLnoC37mZZCNnAbez2Sv1',
  secret: 'stsTemporarySecret0123456789ABCDEFGH',
  securityToken: 'CAIS8gF1q6Ft5B2yfSjIr5bYA+3EtK930pOTV3/jnTk0Vd9ZnabGlTz2IHBIfXlqBOkbvvQ/mWxU6PwelqQqFsIbFBKcMZUhscQGqYduonAB/p7b16cNrbH4M0rxYkeJ8a2/SuH9S8ynCZXJQlvYlyh17KLnfDG5JTKMOoGIjpgVBbZ+HHPPD1x8CcxROxFppeIDKHLVLozNCBPxhXfKB0ca0WgVy0EHsPvmnJ3BsEKH1QOjm7JI+76ceMb0M5NeW75kSMqw0eBMca7M7TVd8RAi9t0t3PAdqW2a54zNUwkMv0nYabbOgdRrLR5kYK8hALJDr/X6mvB+t/bai4Pt0RFJMPHfku8l0EZOqxqAAQ==',
  arn: `acs:ram::${ACCOUNT}:assumed-role/ci-deployer/build-42`,
  accountId: ACCOUNT,
  principalId: '300800000000001:build-42',
  identityType: 'AssumedRoleUser',
};
const DISABLED: StsAccessKey = { ...USER, id: 'LTAI5tEmulatorDisabled1', active: false };

interface StsErrorLike { code?: string; data?: Record<string, unknown> }

async function popCoreError(p: Promise<unknown>): Promise<StsErrorLike> {
  try {
    await p;
  } catch (err) {
    return err as StsErrorLike;
  }
  throw new Error('expected the request to be refused');
}

function popCore(endpoint: string, key: { id: string; secret: string; securityToken?: string }) {
  return new RPCClient({ accessKeyId: key.id, accessKeySecret: key.secret, securityToken: key.securityToken, endpoint, apiVersion: '2015-04-01' });
}

describe('STS emulator against @alicloud/pop-core', () => {
  let sts: StsEmulator;
  beforeAll(async () => {
    sts = await createStsEmulator({ accessKeys: [USER, ROLE, DISABLED] });
  });
  afterAll(() => sts.close());

  it('accepts a GET GetCallerIdentity signed by the SDK and answers with the RAM user field set', async () => {
    const res = await popCore(sts.url, USER).request<Record<string, string>>('GetCallerIdentity', {}, { method: 'GET' });
    expect(Object.keys(res).sort()).toEqual(['AccountId', 'Arn', 'IdentityType', 'PrincipalId', 'RequestId', 'UserId']);
    expect(res).toMatchObject({ IdentityType: 'RAMUser', AccountId: ACCOUNT, PrincipalId: USER.principalId, UserId: USER.principalId, Arn: USER.arn });
    expect(res.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(sts.received.at(-1)?.method).toBe('GET');
  });

  it('accepts the same call made as a form POST (the SDK then signs "POST&...")', async () => {
    const res = await popCore(sts.url, USER).request<Record<string, string>>('GetCallerIdentity', {}, { method: 'POST' });
    expect(res.Arn).toBe(USER.arn);
    expect(sts.received.at(-1)?.method).toBe('POST');
  });

  it('accepts STS temporary credentials and answers with the assumed-role field set', async () => {
    const res = await popCore(sts.url, ROLE).request<Record<string, string>>('GetCallerIdentity', {}, { method: 'GET' });
    expect(Object.keys(res).sort()).toEqual(['AccountId', 'Arn', 'IdentityType', 'PrincipalId', 'RequestId', 'RoleId']);
    expect(res).toMatchObject({ IdentityType: 'AssumedRoleUser', RoleId: '300800000000001', Arn: ROLE.arn });
  });

  it('refuses temporary credentials without their SecurityToken, or with another one', async () => {
    const missing = await popCoreError(popCore(sts.url, { id: ROLE.id, secret: ROLE.secret }).request('GetCallerIdentity', {}, { method: 'GET' }));
    expect(missing.code).toBe('MissingSecurityToken');
    const other = `${ROLE.securityToken!.slice(0, -3)}AA=`;
    const wrong = await popCoreError(popCore(sts.url, { ...ROLE, securityToken: other }).request('GetCallerIdentity', {}, { method: 'GET' }));
    expect(wrong.code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });

  it('refuses a signature made with a secret differing in any one byte', async () => {
    for (let i = 0; i < USER.secret.length; i++) {
      const secret = USER.secret.slice(0, i) + flip(USER.secret[i]!) + USER.secret.slice(i + 1);
      const err = await popCoreError(popCore(sts.url, { id: USER.id, secret }).request('GetCallerIdentity', {}, { method: 'GET' }));
      expect(err.code, `secret byte ${i}`).toBe('SignatureDoesNotMatch');
    }
  });

  it('refuses unknown and disabled access keys with STS error bodies', async () => {
    const unknown = await popCoreError(popCore(sts.url, { id: 'LTAI5tNobodyHasThisKey', secret: USER.secret }).request('GetCallerIdentity', {}, { method: 'GET' }));
    expect(unknown.code).toBe('InvalidAccessKeyId.NotFound');
    expect(Object.keys(unknown.data!).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    const disabled = await popCoreError(popCore(sts.url, DISABLED).request('GetCallerIdentity', {}, { method: 'GET' }));
    expect(disabled.code).toBe('InvalidAccessKeyId.Inactive');
  });

  it('refuses other actions and versions', async () => {
    const action = await popCoreError(popCore(sts.url, USER).request('AssumeRole', {}, { method: 'GET' }));
    expect(action.code).toBe('InvalidAction.NotFound');
    const version = new RPCClient({ accessKeyId: USER.id, accessKeySecret: USER.secret, endpoint: sts.url, apiVersion: '2014-05-26' });
    expect((await popCoreError(version.request('GetCallerIdentity', {}, { method: 'GET' }))).code).toBe('InvalidVersion');
  });

  describe('a recorded SDK request, replayed with one byte changed', () => {
    let sink: Server;
    let sinkUrl: string;
    let recorded = '';
    beforeAll(async () => {
      // The SDK sends to this sink, so the signed request reaches the emulator only when the test replays it.
      sink = createServer((req, res) => {
        recorded = new URL(req.url ?? '/', 'http://sink.invalid').search.slice(1);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
      sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => sink.close(() => r())));

    it('is refused for every byte of the signature and of every parameter, and the original still passes', async () => {
      await popCore(sinkUrl, ROLE).request('GetCallerIdentity', {}, { method: 'GET' });
      const pairs = [...new URLSearchParams(recorded)];
      expect(pairs.map(([k]) => k).sort()).toEqual(
        ['AccessKeyId', 'Action', 'Format', 'SecurityToken', 'Signature', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version'],
      );
      let tried = 0;
      for (const [index, [name, value]] of pairs.entries()) {
        for (let i = 0; i < value.length; i++) {
          const changed = pairs.map(([k, v], j) => [k, j === index ? v.slice(0, i) + flip(v[i]!) + v.slice(i + 1) : v] as [string, string]);
          const res = await replay(sts.url, changed);
          expect(res.status, `${name}[${i}]`).not.toBe(200);
          expect(res.body.Code, `${name}[${i}]`).toEqual(expect.any(String));
          if (name === 'Signature' || name === 'SignatureNonce') expect(res.body.Code, `${name}[${i}]`).toBe('SignatureDoesNotMatch');
          tried++;
        }
      }
      expect(tried).toBeGreaterThan(200);
      // Nothing above burnt the nonce: the untouched request is accepted once, then refused as a replay.
      const original = await replay(sts.url, pairs);
      expect(original.status).toBe(200);
      expect(original.body.Arn).toBe(ROLE.arn);
      const again = await replay(sts.url, pairs);
      expect(again.body.Code).toBe('SignatureNonceUsed');
    });

    it('is refused when a parameter is added or removed', async () => {
      await popCore(sinkUrl, USER).request('GetCallerIdentity', {}, { method: 'GET' });
      const pairs = [...new URLSearchParams(recorded)];
      expect((await replay(sts.url, [...pairs, ['RegionId', 'cn-hangzhou']])).body.Code).toBe('SignatureDoesNotMatch');
      const withoutNonce = pairs.filter(([k]) => k !== 'SignatureNonce');
      expect((await replay(sts.url, withoutNonce)).body).toMatchObject({ Code: 'MissingParameter' });
      expect((await replay(sts.url, [...pairs, ['Signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']])).body.Code).toBe('InvalidParameter');
    });

    it('echoes the string-to-sign in SignatureDoesNotMatch, as STS does', async () => {
      await popCore(sinkUrl, USER).request('GetCallerIdentity', {}, { method: 'GET' });
      const pairs = [...new URLSearchParams(recorded)].map(([k, v]) => [k, k === 'Signature' ? `${flip(v[0]!)}${v.slice(1)}` : v] as [string, string]);
      const res = await replay(sts.url, pairs);
      expect(res.status).toBe(400);
      expect(res.body.Message).toContain('server string to sign is:GET&%2F&AccessKeyId%3D');
    });
  });
});

describe('STS emulator time window', () => {
  it('refuses a Timestamp more than 15 minutes away from its clock, either way', async () => {
    const clock = new ManualClock(Date.now() + 16 * 60_000);
    const sts = await createStsEmulator({ accessKeys: [USER], clock });
    try {
      expect((await popCoreError(popCore(sts.url, USER).request('GetCallerIdentity', {}, { method: 'GET' }))).code).toBe('InvalidTimeStamp.Expired');
      clock.set(Date.now() - 16 * 60_000);
      expect((await popCoreError(popCore(sts.url, USER).request('GetCallerIdentity', {}, { method: 'GET' }))).code).toBe('InvalidTimeStamp.Expired');
      clock.set(Date.now() + 14 * 60_000);
      expect((await popCore(sts.url, USER).request<{ Arn: string }>('GetCallerIdentity', {}, { method: 'GET' })).Arn).toBe(USER.arn);
    } finally {
      await sts.close();
    }
  });

  it('refuses expired temporary credentials', async () => {
    const sts = await createStsEmulator({ accessKeys: [{ ...ROLE, expiresAt: new Date(Date.now() - 1000) }] });
    try {
      expect((await popCoreError(popCore(sts.url, ROLE).request('GetCallerIdentity', {}, { method: 'GET' }))).code).toBe('InvalidSecurityToken.Expired');
    } finally {
      await sts.close();
    }
  });
});

describe('STS emulator faults', () => {
  let sts: StsEmulator;
  beforeAll(async () => {
    sts = await createStsEmulator({ accessKeys: [USER] });
  });
  afterAll(() => sts.close());

  it('answers 500 InternalError, garbage and oversized bodies on request, and counts calls', async () => {
    const before = sts.calls;
    sts.setFault('500');
    const failed = await request(`${sts.url}/?Action=GetCallerIdentity`);
    expect(failed.statusCode).toBe(500);
    expect(((await failed.body.json()) as { Code: string }).Code).toBe('InternalError');

    sts.setFault('garbage');
    const garbage = await request(`${sts.url}/`);
    expect(garbage.statusCode).toBe(200);
    const text = await garbage.body.text();
    expect(text).toContain('<html>');
    expect(() => JSON.parse(text)).toThrow();

    sts.setFault('huge', { bytes: 2 * 1024 * 1024 });
    const huge = await request(`${sts.url}/`);
    expect((await huge.body.arrayBuffer()).byteLength).toBeGreaterThanOrEqual(2 * 1024 * 1024 - 10);

    sts.setFault('reset');
    await expect(request(`${sts.url}/`)).rejects.toThrow();

    sts.setFault(null);
    expect((await popCore(sts.url, USER).request<{ Arn: string }>('GetCallerIdentity', {}, { method: 'GET' })).Arn).toBe(USER.arn);
    expect(sts.calls - before).toBe(5);
  });

  it('holds answers while slow, then answers normally', async () => {
    sts.setFault('slow', { delayMs: 50 });
    const res = await popCore(sts.url, USER).request<{ Arn: string }>('GetCallerIdentity', {}, { method: 'GET' });
    expect(res.Arn).toBe(USER.arn);
    sts.setFault(null);
  });
});

async function replay(origin: string, pairs: [string, string][]) {
  const query = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  const res = await request(`${origin}/?${query}`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
}

/** A different character of the same kind, so the request stays well-formed where possible. */
function flip(c: string): string {
  if (/[0-8]/.test(c)) return String(Number(c) + 1);
  if (c === '9') return '0';
  if (/[a-y]|[A-Y]/.test(c)) return String.fromCharCode(c.charCodeAt(0) + 1);
  if (c === 'z') return 'a';
  if (c === 'Z') return 'A';
  return ({ '+': '/', '/': '+', '=': 'A', '-': '_', ':': '.', '.': '-' } as Record<string, string>)[c] ?? 'x';
}
