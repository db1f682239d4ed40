import { describe, expect, it } from 'vitest';
import { PemError, pemBlocks } from './pem.js';

const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('pemBlocks', () => {
  it('returns the blocks of the asked label in order, skipping others and comments', () => {
    const text = `# bundle\n${block('CERTIFICATE', 'AAEC')}junk\n${block('PRIVATE KEY', 'BBBB')}${block('CERTIFICATE', 'AwQF')}`;
    expect(pemBlocks(text, 'CERTIFICATE')).toEqual([Buffer.from([0, 1, 2]), Buffer.from([3, 4, 5])]);
  });
  it('tolerates spaces and tabs inside the body (folded headers)', () => {
    expect(pemBlocks('-----BEGIN CERTIFICATE----- AA\tEC -----END CERTIFICATE-----', 'CERTIFICATE')).toEqual([Buffer.from([0, 1, 2])]);
  });
  it.each([
    ['an unterminated block', '-----BEGIN CERTIFICATE-----\nAAEC'],
    ['a bad base64 body', block('CERTIFICATE', 'AA!C')],
    ['an empty body', block('CERTIFICATE', '')],
    ['a body of the wrong length', block('CERTIFICATE', 'AAE')],
    ['a header without dashes', '-----BEGIN CERTIFICATE'],
    ['a mismatched footer', '-----BEGIN CERTIFICATE-----\nAAEC\n-----END X509 CRL-----'],
  ])('throws PemError on %s', (_name, text) => {
    expect(() => pemBlocks(text, 'CERTIFICATE')).toThrow(PemError);
  });
  it('is linear on thousands of BEGIN lines', () => {
    expect(() => pemBlocks('-----BEGIN CERTIFICATE-----'.repeat(50_000), 'CERTIFICATE')).toThrow(PemError);
  });
});
