import { createCa } from '@gatehouse-auth/testing/certs';
import { describe, expect, it } from 'vitest';
import { OID, parseCertificate } from './parse-certificate.js';

describe('parseCertificate', () => {
  it('reads what node:crypto does not expose: pathLen, keyUsage bits, EKU, typed SANs, key ids', async () => {
    const root = await createCa({ commonName: 'Root', keyType: 'rsa' });
    const inter = await root.issueIntermediate({ commonName: 'Inter', pathLen: 2, keyType: 'ed25519' });
    const leaf = await inter.issue({
      commonName: 'svc',
      extKeyUsage: ['clientAuth', 'serverAuth'],
      subjectAltNames: [
        { type: 'dns', value: 'svc.prod' },
        { type: 'ip', value: '10.0.0.7' },
        { type: 'ip', value: '2001:db8::1' },
        { type: 'uri', value: 'spiffe://prod/svc' },
        { type: 'email', value: 'svc@corp.example' },
      ],
    });
    const i = parseCertificate(inter.certDer);
    expect(i.basicConstraints).toEqual({ cA: true, pathLen: 2 });
    expect(i.keyUsage).toMatchObject({ keyCertSign: true, cRLSign: true });
    expect(i.extKeyUsage).toBeUndefined();
    expect(i.commonNames).toEqual(['Inter']);

    const l = parseCertificate(leaf.certDer);
    expect(l.serial).toBe(leaf.x509.serialNumber);
    expect(l.basicConstraints).toEqual({ cA: false });
    expect(l.keyUsage).toMatchObject({ digitalSignature: true, keyCertSign: false });
    expect(l.extKeyUsage).toEqual([OID.clientAuth, '1.3.6.1.5.5.7.3.1']);
    expect(l.subjectAltNames).toEqual([
      { type: 'dns', value: 'svc.prod' },
      { type: 'ip', value: '10.0.0.7' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'uri', value: 'spiffe://prod/svc' },
      { type: 'email', value: 'svc@corp.example' },
    ]);
    expect(l.authorityKeyId).toBe(i.subjectKeyId);
    expect(l.issuerDer.equals(i.subjectDer)).toBe(true);
    expect(l.notAfter.getTime()).toBe(new Date(leaf.x509.validTo).getTime());
    expect(l.unhandledCritical).toEqual([]);
  });

  it('reads the validity window exactly, UTCTime and GeneralizedTime', async () => {
    const root = await createCa({ commonName: 'Root' });
    const leaf = await root.issue({ commonName: 'x', notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('2050-01-01T00:00:01Z') });
    const parsed = parseCertificate(leaf.certDer);
    expect(parsed.notBefore.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(parsed.notAfter.toISOString()).toBe('2050-01-01T00:00:01.000Z');
  });

  it('throws on garbage, truncation and trailing bytes', async () => {
    const root = await createCa({ commonName: 'Root' });
    expect(() => parseCertificate(Buffer.from('not a certificate'))).toThrow();
    expect(() => parseCertificate(root.certDer.subarray(0, root.certDer.length - 10))).toThrow();
    expect(() => parseCertificate(Buffer.concat([root.certDer, Buffer.from([0])]))).toThrow();
  });
});
