/** Shared setup for the alicloud suites: a Gatehouse with the strategy, an STS emulator, captured logs and audit. */
import { buildAlicloudLoginBody, type AlicloudLoginBody } from '@gatehouse-auth/client';
import { createGatehouse, ManualClock, type AuditEvent, type Gatehouse, type GatehouseResponse, type Logger } from '@gatehouse-auth/core';
import { createStsEmulator, type StsAccessKey, type StsEmulator } from '@gatehouse-auth/testing/sts';
import { expect } from 'vitest';
import { alicloudStrategy, type AlicloudStrategyOptions } from '../src/index.js';

export const ACCOUNT = '1234567890123456';
export const OTHER_ACCOUNT = '6543210987654321';
export const PATH = '/api/v1/auth/alicloud-auth/login';

export const ALICE: StsAccessKey = {
  id: 'LTAI5tAliceKey000000001',
  secret: 'aliceSecret0123456789abcdefghij',
  arn: `acs:ram::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  principalId: '216959339000001',
  identityType: 'RAMUser',
};
export const BOB: StsAccessKey = { ...ALICE, id: 'LTAI5tBobKey00000000001', secret: 'bobSecret0123456789abcdefghijkl', arn: `acs:ram::${ACCOUNT}:user/bob`, principalId: '216959339000002' };
export const DEPLOYER_SESSION: StsAccessKey = {
  id: 'STS.NUgYrLnoC37mZZCNnAbez2Sv1',
  secret: 'stsTemporarySecret0123456789ABCDEFGH',
  securityToken: 'CAIS8gF1q6Ft5B2yfSjIr5bYA+3EtK930pOTV3/jnTk0Vd9ZnabGlTz2IHBIfXlqBOkbvvQ/mWxU6PwelqQqFsIbFBKcMZUhscQGqYduonAB/p7b16cNrbH4M0rxYkeJ8a2==',
  arn: `acs:ram::${ACCOUNT}:assumed-role/deployer/build-42`,
  accountId: ACCOUNT,
  principalId: '300800000000001:build-42',
  identityType: 'AssumedRoleUser',
};
export const FOREIGN_DEPLOYER: StsAccessKey = {
  ...DEPLOYER_SESSION,
  id: 'STS.ForeignAccountKey0000001',
  arn: `acs:ram::${OTHER_ACCOUNT}:assumed-role/deployer/build-42`,
  accountId: OTHER_ACCOUNT,
};

export interface Harness {
  gh: Gatehouse;
  sts: StsEmulator;
  clock: ManualClock;
  logs: string[];
  audit: AuditEvent[];
  identityId: string;
  body(key: StsAccessKey, extra?: { now?: Date; nonce?: string; organizationSlug?: string; identityId?: string }): AlicloudLoginBody;
  login(body: unknown): Promise<GatehouseResponse>;
  close(): Promise<void>;
}

export async function createHarness(options: AlicloudStrategyOptions = {}, emulatorKeys: StsAccessKey[] = [ALICE, BOB, DEPLOYER_SESSION, FOREIGN_DEPLOYER]): Promise<Harness> {
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const sts = await createStsEmulator({ accessKeys: emulatorKeys, clock });
  const logs: string[] = [];
  const audit: AuditEvent[] = [];
  const gh = createGatehouse({
    // A generous timeout: shared CI machines are slow. Timeout tests build their own harness with a short one.
    strategies: [alicloudStrategy({ stsEndpoints: { global: sts.url }, timeoutMs: 15_000, ...options })],
    clock,
    logger: capturingLogger(logs),
    audit: (e) => void audit.push(e),
  });
  const identity = await gh.admin.createIdentity({ name: 'ci', organizationSlug: 'acme' });
  await gh.admin.attachMethod(
    identity.id,
    'alicloud',
    { allowedArns: [ALICE.arn, `acs:ram::${ACCOUNT}:role/deployer`] },
    { accessTokenTTL: 600, accessTokenMaxTTL: 3600 },
  );
  return {
    gh,
    sts,
    clock,
    logs,
    audit,
    identityId: identity.id,
    body: (key, extra = {}) =>
      buildAlicloudLoginBody({
        identityId: extra.identityId ?? identity.id,
        accessKeyId: key.id,
        accessKeySecret: key.secret,
        securityToken: key.securityToken,
        organizationSlug: extra.organizationSlug,
        now: extra.now ?? clock.now(),
        nonce: extra.nonce,
      }),
    login: (body) =>
      gh.handle({ method: 'POST', path: PATH, headers: { 'content-type': 'application/json' }, body, socketAddress: '127.0.0.1', protocol: 'http' }),
    async close() {
      await gh.close();
      await sts.close();
    },
  };
}

function capturingLogger(into: string[]): Logger {
  const log = (level: string) => (...args: unknown[]) => void into.push(`${level} ${JSON.stringify(args)}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

/** The seed's error shape for `status`: exactly `{reqId, statusCode, message, error}` (message = issue list on 422). */
export function expectSeedError(res: GatehouseResponse, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  const body = res.body as Record<string, unknown>;
  const allowed = status === 400 || status === 403 ? ['reqId', 'statusCode', 'message', 'error', 'details'] : ['reqId', 'statusCode', 'message', 'error'];
  for (const key of Object.keys(body)) expect(allowed).toContain(key);
  expect(body.statusCode).toBe(status);
  expect(body.reqId).toBe(res.headers['x-request-id']);
  expect(typeof body.error).toBe('string');
  if (status === 422) expect(Array.isArray(body.message)).toBe(true);
  else expect(typeof body.message).toBe('string');
  return body;
}

export function lastAudit(h: Harness): AuditEvent {
  const e = h.audit.at(-1);
  if (!e) throw new Error('no audit event');
  return e;
}
