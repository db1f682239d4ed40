import { describe, expect, it } from 'vitest';
import { alicloudStrategy } from './strategy.js';
import { DEFAULT_STS_ENDPOINTS, KNOWN_STS_REGIONS, normaliseStsEndpoints } from './sts-endpoints.js';

describe('STS endpoint allow-list', () => {
  it('defaults to the global endpoint plus regional ones, all https on aliyuncs.com', () => {
    expect(DEFAULT_STS_ENDPOINTS.global).toBe('https://sts.aliyuncs.com');
    expect(DEFAULT_STS_ENDPOINTS['cn-hangzhou']).toBe('https://sts.cn-hangzhou.aliyuncs.com');
    expect(Object.keys(DEFAULT_STS_ENDPOINTS)).toHaveLength(KNOWN_STS_REGIONS.length + 1);
    for (const url of Object.values(DEFAULT_STS_ENDPOINTS)) expect(url).toMatch(/^https:\/\/sts\.([a-z0-9-]+\.)?aliyuncs\.com$/);
  });

  it('reduces entries to origins', () => {
    expect(normaliseStsEndpoints({ global: 'https://sts.aliyuncs.com/' }).get('global')).toBe('https://sts.aliyuncs.com');
    expect(normaliseStsEndpoints({ test: 'http://127.0.0.1:8080' }).get('test')).toBe('http://127.0.0.1:8080');
  });

  it.each([
    [{ global: 'http://sts.aliyuncs.com' }, 'plain http to a real host'],
    [{ global: 'https://sts.aliyuncs.com/path' }, 'a path'],
    [{ global: 'https://sts.aliyuncs.com/?x=1' }, 'a query'],
    [{ global: 'https://user:pw@sts.aliyuncs.com' }, 'credentials'],
    [{ global: 'ftp://sts.aliyuncs.com' }, 'another scheme'],
    [{ global: 'not a url' }, 'not a URL'],
    [{ 'Bad Key': 'https://sts.aliyuncs.com' }, 'a bad region key'],
    [{}, 'an empty list'],
  ] as [Record<string, string>, string][])('refuses %j at startup (%s)', (endpoints) => {
    expect(() => normaliseStsEndpoints(endpoints)).toThrow(/alicloud:/);
  });

  it('refuses a default region outside the allow-list, and bad numbers, at construction', () => {
    expect(() => alicloudStrategy({ stsEndpoints: { 'cn-hangzhou': 'https://sts.cn-hangzhou.aliyuncs.com', 'cn-shanghai': 'https://sts.cn-shanghai.aliyuncs.com' } })).toThrow(/defaultStsRegion/);
    expect(() => alicloudStrategy({ stsEndpoints: { 'cn-hangzhou': 'https://sts.cn-hangzhou.aliyuncs.com' } })).not.toThrow();
    expect(() => alicloudStrategy({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => alicloudStrategy({ maxResponseBytes: Number.NaN })).toThrow(/maxResponseBytes/);
  });
});
