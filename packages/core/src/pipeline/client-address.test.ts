import { describe, expect, it } from 'vitest';
import { isTrustedProxy, resolveClientIp, resolveProtocol, throttleKeyOf } from './client-address.js';
import { ipAllowed, parseAddress } from '../tokens/settings.js';

describe('resolveClientIp', () => {
  it('ignores X-Forwarded-For unless the socket peer is trusted', () => {
    expect(resolveClientIp('198.51.100.1', '1.2.3.4', false)).toBe('198.51.100.1');
    expect(resolveClientIp('198.51.100.1', '1.2.3.4', ['10.0.0.0/8'])).toBe('198.51.100.1');
    expect(resolveClientIp('10.0.0.5', '1.2.3.4', ['10.0.0.0/8'])).toBe('1.2.3.4');
  });

  it('walks right to left through trusted hops only, so a spoofed leftmost entry is ignored', () => {
    expect(resolveClientIp('10.0.0.5', '6.6.6.6, 1.2.3.4, 10.0.0.9', ['10.0.0.0/8'])).toBe('1.2.3.4');
    expect(resolveClientIp('10.0.0.5', ['6.6.6.6', '1.2.3.4'], 1)).toBe('1.2.3.4');
    expect(resolveClientIp('10.0.0.5', '6.6.6.6, 1.2.3.4', 2)).toBe('6.6.6.6');
  });

  it('normalises IPv4-mapped IPv6 and refuses garbage hops', () => {
    expect(resolveClientIp('::ffff:127.0.0.1', undefined, false)).toBe('127.0.0.1');
    expect(resolveClientIp('127.0.0.1', 'not-an-ip', true)).toBe('127.0.0.1');
    expect(resolveClientIp('127.0.0.1', '1.2.3.4, <script>', true)).toBe('127.0.0.1');
    expect(resolveClientIp('127.0.0.1', `${'1.1.1.1,'.repeat(10_000)}2.2.2.2`, true)).toBe('1.1.1.1');
  });

  it('isTrustedProxy', () => {
    expect(isTrustedProxy('::ffff:10.1.1.1', ['10.0.0.0/8'])).toBe(true);
    expect(isTrustedProxy('11.1.1.1', ['10.0.0.0/8'])).toBe(false);
    expect(isTrustedProxy('10.1.1.1', false)).toBe(false);
  });
});

describe('resolveProtocol', () => {
  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(resolveProtocol('http', '198.51.100.1', 'https', false)).toBe('http');
    expect(resolveProtocol('http', '198.51.100.1', 'https', ['10.0.0.0/8'])).toBe('http');
    expect(resolveProtocol('http', '10.0.0.5', 'https', ['10.0.0.0/8'])).toBe('https');
    expect(resolveProtocol('http', '10.0.0.5', 'HTTPS', 1)).toBe('https');
  });

  it('takes the nearest proxy\'s value: a chain that was plain http anywhere near us is not https', () => {
    expect(resolveProtocol('http', '10.0.0.5', 'https, http', ['10.0.0.0/8'])).toBe('http');
    expect(resolveProtocol('http', '10.0.0.5', ['http', 'https'], ['10.0.0.0/8'])).toBe('https');
    expect(resolveProtocol('http', '10.0.0.5', 'javascript', ['10.0.0.0/8'])).toBe('http');
    expect(resolveProtocol('http', '10.0.0.5', `${'x,'.repeat(100_000)}https`, true)).toBe('https');
  });

  it('an https socket stays https whatever a header says', () => {
    expect(resolveProtocol('https', '10.0.0.5', 'http', ['10.0.0.0/8'])).toBe('https');
  });
});

describe('throttleKeyOf', () => {
  it('is the address for IPv4 (mapped or not) and the /64 for IPv6', () => {
    expect(throttleKeyOf('198.51.100.7')).toBe('198.51.100.7');
    expect(throttleKeyOf('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(throttleKeyOf('2001:db8:1:2::1')).toBe(throttleKeyOf('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(throttleKeyOf('2001:db8:1:2::1')).not.toBe(throttleKeyOf('2001:db8:1:3::1'));
    expect(throttleKeyOf('not an address')).toBe('not an address');
  });
});

describe('parsed addresses are memoised, bounded, and never change an answer', () => {
  it('3,000 distinct client addresses (past the cache bound), then the first again: every answer as without a cache', () => {
    const addresses = Array.from({ length: 3000 }, (_, i) => (i % 2 ? `::ffff:10.${(i >> 8) & 255}.${i & 255}.7` : `2001:db8::${i.toString(16)}`));
    for (const round of [0, 1]) {
      for (const a of addresses.slice(0, round ? 50 : undefined)) {
        const expected = parseAddress(a)!.toString();
        expect(resolveClientIp(a, undefined, false)).toBe(expected);
        expect(ipAllowed(a, ['10.0.0.0/8'])).toBe(expected.startsWith('10.'));
        expect(ipAllowed(a, ['2001:db8::/32'])).toBe(expected.startsWith('2001:db8'));
      }
    }
    expect(resolveClientIp('not an address', undefined, false)).toBe('not an address');
    expect(ipAllowed('not an address', ['0.0.0.0/0', '::/0'])).toBe(false);
    // Longer than any address: parsed each time, not kept.
    const long = `fe80::1%${'x'.repeat(100)}`;
    expect(ipAllowed(long, ['fe80::/10'])).toBe(parseAddress(long) !== null);
  });
});
