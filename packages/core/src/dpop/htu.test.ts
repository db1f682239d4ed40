import { describe, expect, it } from 'vitest';
import { normalizeHtu } from './htu.js';

describe('normalizeHtu (RFC 9449 §4.3, RFC 3986 §6.2.2–6.2.3)', () => {
  it.each([
    ['https://auth.example.com/api/v1/x', 'https://auth.example.com/api/v1/x'],
    ['HTTPS://Auth.Example.COM/api/v1/x', 'https://auth.example.com/api/v1/x'],
    ['https://auth.example.com:443/api', 'https://auth.example.com/api'],
    ['http://auth.example.com:80/api', 'http://auth.example.com/api'],
    ['https://auth.example.com:8443/api', 'https://auth.example.com:8443/api'],
    ['https://auth.example.com', 'https://auth.example.com/'],
    ['https://auth.example.com/a/./b/../c', 'https://auth.example.com/a/c'],
    ['https://auth.example.com/a%2fb', 'https://auth.example.com/a%2Fb'],
    ['https://auth.example.com/%7Euser/%41', 'https://auth.example.com/~user/A'],
    ['https://auth.example.com/x?query=1#frag', 'https://auth.example.com/x'],
    ['http://[::1]:8080/x', 'http://[::1]:8080/x'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHtu(input)).toBe(expected);
  });

  it.each([
    ['not a URL', 'x'],
    ['a relative path', '/api/v1/x'],
    ['another scheme', 'ftp://auth.example.com/x'],
    ['credentials', 'https://user:pw@auth.example.com/x'],
    ['a number', 42],
    ['an empty string', ''],
    ['a huge string', `https://a.example/${'x'.repeat(5000)}`],
  ])('refuses %s', (_label, input) => {
    expect(normalizeHtu(input)).toBeNull();
  });

  it('does not decode reserved characters: %2F is not a path separator', () => {
    expect(normalizeHtu('https://a.example/a%2Fb')).not.toBe(normalizeHtu('https://a.example/a/b'));
  });
});
