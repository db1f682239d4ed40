import { describe, expect, it } from 'vitest';
import { clientCertificateOf } from './client-certificate.js';

const der = (n: number) => new Uint8Array(Buffer.alloc(64, n));
const pem = (bytes: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString('base64')}\n-----END CERTIFICATE-----\n`;
const source = { header: 'x-client-cert', trustedProxies: ['10.0.0.0/8'] };

describe('clientCertificateOf', () => {
  it('the TLS peer’s leaf when the connection is not from a trusted proxy (a header from anyone else is ignored)', () => {
    const facts = { headers: { 'x-client-cert': encodeURIComponent(pem(der(2))) }, socketAddress: '192.0.2.1', peerCertificates: [der(1), der(9)] };
    expect(clientCertificateOf(facts, source)).toEqual(der(1));
  });

  it('from a trusted proxy, the first certificate of its URL-encoded chain (never the proxy’s own TLS certificate)', () => {
    const facts = { headers: { 'x-client-cert': encodeURIComponent(pem(der(2)) + pem(der(3))) }, socketAddress: '10.1.2.3', peerCertificates: [der(1)] };
    expect(clientCertificateOf(facts, source)).toEqual(der(2));
    expect(clientCertificateOf({ ...facts, headers: {} }, source)).toBeUndefined();
  });

  it.each([
    ['not URL-encoded PEM', '%E0%A4%A'],
    ['no certificate block', encodeURIComponent('hello')],
    ['two headers', [encodeURIComponent(pem(der(2))), encodeURIComponent(pem(der(3)))]],
    ['a huge header', 'x'.repeat(70_000)],
  ])('a trusted proxy’s header with %s gives no certificate', (_label, value) => {
    expect(clientCertificateOf({ headers: { 'x-client-cert': value }, socketAddress: '10.1.2.3' }, source)).toBeUndefined();
  });

  it('without a configured header: the socket’s leaf, or none', () => {
    expect(clientCertificateOf({ headers: {}, socketAddress: '10.1.2.3', peerCertificates: [der(4)] }, { trustedProxies: [] })).toEqual(der(4));
    expect(clientCertificateOf({ headers: {}, socketAddress: '10.1.2.3' }, { trustedProxies: [] })).toBeUndefined();
  });
});
