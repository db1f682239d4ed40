import { AuthError, createGatehouse } from '@gatehouse-auth/core';
import { afterAll, describe, expect, it } from 'vitest';
import { alicloudStrategy } from './strategy.js';

describe('per-identity config, validated when written', () => {
  const gh = createGatehouse({ strategies: [alicloudStrategy()] });
  afterAll(() => gh.close());

  async function attach(config: unknown) {
    const id = await gh.admin.createIdentity({ name: 'cfg' });
    return gh.admin.attachMethod(id.id, 'alicloud', config);
  }

  async function refusal(config: unknown): Promise<AuthError> {
    try {
      await attach(config);
    } catch (err) {
      if (err instanceof AuthError) return err;
      throw err;
    }
    throw new Error('expected the config to be refused');
  }

  it('accepts exact ARNs, wildcards, and a known STS region', async () => {
    const m = await attach({ allowedArns: ['acs:ram::1234567890123456:user/alice', 'acs:ram::1234567890123456:role/ci-*'], stsRegion: 'cn-hangzhou' });
    expect(m.config).toEqual({ allowedArns: ['acs:ram::1234567890123456:user/alice', 'acs:ram::1234567890123456:role/ci-*'], stsRegion: 'cn-hangzhou' });
  });

  it('names the malformed ARN by its index', async () => {
    const err = await refusal({ allowedArns: ['acs:ram::1234567890123456:user/alice', 'acs:ram::*:role/admin'] });
    expect(err.kind).toBe('validation');
    expect(err.fields).toEqual(['config.allowedArns.1']);
    expect(err.message).toContain('config.allowedArns.1');
    expect(err.message).toContain('acs:ram::<accountId>');
  });

  it('names every malformed ARN', async () => {
    const err = await refusal({ allowedArns: ['arn:aws:iam::1:user/a', 'acs:ram::1234567890123456:user/ok', 'acs:ram::1234567890123456:user/a*b'] });
    expect(err.fields).toEqual(['config.allowedArns.0', 'config.allowedArns.2']);
  });

  it.each([
    [{}, 'config.allowedArns'],
    [{ allowedArns: [] }, 'config.allowedArns'],
    [{ allowedArns: 'acs:ram::1234567890123456:user/alice' }, 'config.allowedArns'],
    [{ allowedArns: [42] }, 'config.allowedArns.0'],
    [{ allowedArns: ['acs:ram::1234567890123456:user/alice'], stsRegion: 'mars-north-1' }, 'config.stsRegion'],
    [{ allowedArns: ['acs:ram::1234567890123456:user/alice'], stsEndpoint: 'https://evil.example' }, 'config.stsEndpoint'],
  ])('refuses %j naming %s', async (config, field) => {
    expect((await refusal(config)).fields).toContain(field);
  });

  it('caps the list at 100 patterns', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `acs:ram::1234567890123456:user/u${i}`);
    expect((await refusal({ allowedArns: many })).fields).toEqual(['config.allowedArns']);
  });
});
