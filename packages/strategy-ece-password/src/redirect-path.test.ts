import { describe, expect, it } from 'vitest';
import { MAX_REDIRECT_PATH_LENGTH, isSafeRedirectPath, redirectPathProblem } from './redirect-path.js';

// Unit table for the path rule; the HTTP-level table (400 naming `login_state.path`) is in strategy.test.ts.
describe('redirectPathProblem', () => {
  it.each([
    ['/', null],
    ['/deployments', null],
    ['/deployments/abc?tab=logs#top', null],
    ['/search?q=hello%20world', null],
    ['/files/a%2Fb', null], // an encoded single slash inside a segment is not another origin
    ['/price?x=100%25', null], // `%25` decodes to a bare `%`, which decodes no further
    ['/ünïcødé/页面', null],
    ['/' + 'a'.repeat(MAX_REDIRECT_PATH_LENGTH - 1), null],
  ])('accepts %j', (path, problem) => {
    expect(redirectPathProblem(path)).toBe(problem);
    expect(isSafeRedirectPath(path)).toBe(true);
  });

  it.each([
    ['//evil.com', 'protocol_relative'],
    ['/\\evil.com', 'backslash'],
    ['\\\\evil.com', 'not_rooted'],
    ['https://evil.com', 'not_rooted'],
    ['javascript:alert(1)', 'not_rooted'],
    ['JaVaScRiPt:alert(1)', 'not_rooted'],
    ['data:text/html,<script>alert(1)</script>', 'not_rooted'],
    ['evil.com', 'not_rooted'],
    ['', 'not_rooted'],
    ['/a//b', 'protocol_relative'],
    ['/%2F%2Fevil.com', 'encoded_separator'],
    ['/%2f%2fevil.com', 'encoded_separator'],
    ['/%5Cevil.com', 'encoded_separator'],
    ['/%252F%252Fevil.com', 'encoded_separator'], // double-encoded
    ['/%25252F%25252Fevil.com', 'encoded_separator'], // triple-encoded
    ['/%2525252F', 'malformed_encoding'], // still changing after three rounds
    ['/%0a/evil.com', 'encoded_separator'],
    ['/%00', 'encoded_separator'],
    ['/%E0%A4%A', 'malformed_encoding'],
    ['/%zz', 'malformed_encoding'],
    ['/\t/evil.com', 'forbidden_character'],
    ['/\n/evil.com', 'forbidden_character'],
    ['/\r\nSet-Cookie: x=1', 'forbidden_character'],
    ['/ evil', 'forbidden_character'],
    ['/\u00a0evil', 'forbidden_character'],
    ['/\u2028evil', 'forbidden_character'],
    ['/\u200bevil', 'forbidden_character'], // zero-width space
    ['/\u202eevil', 'forbidden_character'], // right-to-left override
    ['/\u0000', 'forbidden_character'],
    ['/\u007f', 'forbidden_character'],
    ['/\ud800', 'forbidden_character'], // lone surrogate
    ['/' + 'a'.repeat(MAX_REDIRECT_PATH_LENGTH), 'too_long'],
    // Compatibility forms of "/" and "\": NFKC turns them into the real separators.
    ['/\uff0fevil.com', 'compatibility_separator'], // ／ fullwidth solidus → //evil.com
    ['/\uff3cevil.com', 'compatibility_separator'], // ＼ fullwidth reverse solidus → /\evil.com
    ['/\ufe68evil.com', 'compatibility_separator'], // ﹨ small reverse solidus → /\evil.com
    ['/a\uff0f/b', 'compatibility_separator'],
    ['/%EF%BC%8Fevil.com', 'encoded_separator'], // the percent-encoded fullwidth solidus
    ['/' + 'a'.repeat(10 * 1024), 'too_long'],
  ])('refuses %j (%s)', (path, problem) => {
    expect(redirectPathProblem(path)).toBe(problem);
    expect(isSafeRedirectPath(path)).toBe(false);
  });
});
