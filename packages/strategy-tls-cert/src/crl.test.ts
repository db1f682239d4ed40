import { createCa } from '@gatehouse-auth/testing/certs';
import { describe, expect, it } from 'vitest';
import { parseCrl } from './crl.js';
import { parseCertificate } from './parse-certificate.js';
import { pemBlocks } from './pem.js';

const der = (pem: string) => pemBlocks(pem, 'X509 CRL')[0]!;

describe('parseCrl', () => {
  for (const keyType of ['rsa', 'ec', 'ed25519'] as const) {
    it(`reads a ${keyType}-signed CRL and checks its signature against the right key only`, async () => {
      const ca = await createCa({ commonName: 'CA', keyType });
      const impostor = await createCa({ commonName: 'CA', keyType });
      const revoked = await ca.issue({ commonName: 'gone' });
      const kept = await ca.issue({ commonName: 'kept' });
      const thisUpdate = new Date('2026-01-01T00:00:00Z');
      const crl = parseCrl(der(ca.crl({ revoked: [{ serial: revoked.serial }], thisUpdate, nextUpdate: new Date('2026-01-08T00:00:00Z') })));
      expect(crl.revoked.has(revoked.serial)).toBe(true);
      expect(crl.revoked.has(kept.serial)).toBe(false);
      expect(crl.thisUpdate.toISOString()).toBe('2026-01-01T00:00:00.000Z');
      expect(crl.nextUpdate?.toISOString()).toBe('2026-01-08T00:00:00.000Z');
      expect(crl.issuerDer.equals(parseCertificate(ca.certDer).subjectDer)).toBe(true);
      expect(crl.signedBy(ca.publicKey)).toBe(true);
      expect(crl.signedBy(impostor.publicKey)).toBe(false);
    });
  }

  it('compares serials regardless of leading zeros and case', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const crl = parseCrl(der(ca.crl({ revoked: [{ serial: '00ab' }, { serial: '8F' }] })));
    expect([...crl.revoked]).toEqual(['AB', '8F']);
  });

  it('a CRL whose signed bytes were altered no longer verifies', async () => {
    const ca = await createCa({ commonName: 'CA' });
    const other = await ca.issue({ commonName: 'x' });
    const bytes = Buffer.from(der(ca.crl({ revoked: [{ serial: other.serial }] })));
    const at = bytes.indexOf(Buffer.from(other.serial.slice(0, 8), 'hex'));
    bytes[at]! ^= 0x01;
    expect(parseCrl(bytes).signedBy(ca.publicKey)).toBe(false);
  });

  it('throws on a certificate or garbage', async () => {
    const ca = await createCa({ commonName: 'CA' });
    expect(() => parseCrl(ca.certDer)).toThrow();
    expect(() => parseCrl(Buffer.from('garbage'))).toThrow();
  });
});
