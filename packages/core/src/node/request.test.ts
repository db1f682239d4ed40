import { describe, expect, it } from 'vitest';
import { pathOf, queryOf } from './request.js';
import { peerCertificateChain } from './tls.js';

describe('pathOf / queryOf', () => {
  it('splits the path from the query without decoding the path', () => {
    expect(pathOf('/api/v1/auth/%61/login?x=1')).toBe('/api/v1/auth/%61/login');
    expect(pathOf(undefined)).toBe('/');
  });
  it('parses repeated keys into arrays on a null-prototype record', () => {
    const q = queryOf('/x?a=1&a=2&b=%20&__proto__=p');
    expect(q.a).toEqual(['1', '2']);
    expect(q.b).toBe(' ');
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toBe('p'); // a plain key, not a prototype
    expect(Object.keys(queryOf('/x'))).toEqual([]);
  });
});

describe('peerCertificateChain', () => {
  it('is empty for a plain socket', () => {
    expect(peerCertificateChain({ encrypted: undefined } as never)).toEqual([]);
    expect(peerCertificateChain(undefined)).toEqual([]);
  });
  it('stops when the issuer repeats (a self-signed root points to itself) and caches per connection', () => {
    const root: Record<string, unknown> = { raw: Buffer.from([3]), fingerprint256: 'R' };
    root.issuerCertificate = root;
    const leaf = { raw: Buffer.from([1]), fingerprint256: 'L', issuerCertificate: { raw: Buffer.from([2]), fingerprint256: 'I', issuerCertificate: root } };
    let calls = 0;
    const socket = { encrypted: true, getPeerCertificate: () => (calls++, leaf) } as never;
    expect(peerCertificateChain(socket).map((d) => [...d])).toEqual([[1], [2], [3]]);
    peerCertificateChain(socket);
    expect(calls).toBe(1);
  });
  it('is empty when the client presented nothing (Node returns {})', () => {
    expect(peerCertificateChain({ encrypted: true, getPeerCertificate: () => ({}) } as never)).toEqual([]);
  });
});
