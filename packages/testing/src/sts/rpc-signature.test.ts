import { describe, expect, it } from 'vitest';
import { canonicalizedQuery, percentEncode, rpcSignature, stringToSign } from './rpc-signature.js';

describe('Alibaba RPC signature v1', () => {
  // The worked example from Alibaba Cloud's signature documentation (ECS DescribeRegions, secret "testsecret").
  const params = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };

  it('reproduces the documented string-to-sign and signature', () => {
    expect(stringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(rpcSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('leaves Signature out of the canonical query and sorts by name', () => {
    expect(canonicalizedQuery({ b: '2', Signature: 'x', a: '1', B: '3' })).toBe('B=3&a=1&b=2');
  });

  it('percent-encodes per the spec: unreserved kept, space %20, * %2A, ~ kept, UTF-8 bytes', () => {
    expect(percentEncode("a-b_c.d~e f*g+h/i!j'k(l)m")).toBe('a-b_c.d~e%20f%2Ag%2Bh%2Fi%21j%27k%28l%29m');
    expect(percentEncode('é')).toBe('%C3%A9');
  });
});
