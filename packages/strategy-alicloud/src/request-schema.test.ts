import { toJsonSchema } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { alicloudLoginSchema, parseAlibabaTimestamp } from './request-schema.js';

/** Seed 000's request schema: its property names and required list, copied from the seed. */
const seedRequired = ['identityId', 'Action', 'Format', 'Version', 'AccessKeyId', 'SignatureMethod', 'Timestamp', 'SignatureVersion', 'SignatureNonce', 'Signature'];
const seedProperties = ['identityId', 'Action', 'Format', 'Version', 'AccessKeyId', 'organizationSlug', 'SignatureMethod', 'Timestamp', 'SignatureVersion', 'SignatureNonce', 'Signature'];

describe('login request schema vs seed 000', () => {
  const json = toJsonSchema(alicloudLoginSchema, 'input') as {
    properties: Record<string, { enum?: unknown[]; minLength?: number; maxLength?: number }>;
    required: string[];
    additionalProperties: unknown;
  };

  it('has the seed properties plus only SecurityToken, the seed required list, and no additional properties', () => {
    expect(Object.keys(json.properties).sort()).toEqual([...seedProperties, 'SecurityToken'].sort());
    expect([...json.required].sort()).toEqual([...seedRequired].sort());
    expect(json.additionalProperties).toBe(false);
  });

  it('has the seed enums and organizationSlug bounds', () => {
    expect(json.properties.Action!.enum).toEqual(['GetCallerIdentity']);
    expect(json.properties.Format!.enum).toEqual(['JSON']);
    expect(json.properties.SignatureMethod!.enum).toEqual(['HMAC-SHA1']);
    expect(json.properties.SignatureVersion!.enum).toEqual(['1.0']);
    expect(json.properties.organizationSlug).toMatchObject({ minLength: 1, maxLength: 64 });
  });
});

describe('parseAlibabaTimestamp', () => {
  it.each([
    ['2026-01-01T00:00:00Z', true],
    ['2024-02-29T23:59:59Z', true],
    ['2025-02-29T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-01-01T00:60:00Z', false],
    ['2026-01-01T00:00:00.000Z', false],
    ['2026-01-01T00:00:00z', false],
    ['2026-01-01T00:00:00', false],
    ['+02026-01-01T00:00:00Z', false],
    ['', false],
  ])('%s → %s', (value, ok) => expect(parseAlibabaTimestamp(value) !== null).toBe(ok));
});
