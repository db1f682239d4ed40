/**
 * `login_state.path` safety: the console navigates to this path after login, so anything that a browser
 * could read as another origin (`//evil.com`, `/\evil.com`, `https://…`, `javascript:`), or that hides
 * such a form behind percent-encoding, whitespace or control characters, is refused.
 */

/** Longest path accepted (characters). Paths this long are already unusual; the cap bounds the redirect header. */
export const MAX_REDIRECT_PATH_LENGTH = 1024;

/** Percent-decoding rounds tried before giving up: `%252F` is `%2F` after one round and `/` after two. */
const MAX_DECODE_ROUNDS = 3;

export type RedirectPathProblem =
  | 'too_long'
  | 'not_rooted'
  | 'protocol_relative'
  | 'backslash'
  | 'forbidden_character'
  | 'malformed_encoding'
  | 'encoded_separator'
  | 'compatibility_separator';

// Control (Cc), format (Cf: zero-width, bidi overrides), separators (Z*), lone surrogates (Cs) and
// whitespace: browsers strip or reinterpret some of them, so `/\t/evil.com` can become `//evil.com`.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Z}\p{Cs}\s]/u;

/** Why a path is unsafe, or null when it is a same-origin relative path. */
export function redirectPathProblem(path: string): RedirectPathProblem | null {
  if (path.length > MAX_REDIRECT_PATH_LENGTH) return 'too_long';
  const literal = shapeProblem(path);
  if (literal) return literal;
  // Decode until stable and check every form: a later consumer may decode once more than we expect.
  let current = path;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      // The input itself must be well-formed; a decoded form that no longer is (`%25` became a bare
      // `%`) cannot be decoded further, so it is as far as a consumer can go.
      return round === 0 ? 'malformed_encoding' : null;
    }
    if (decoded === current) return null;
    if (decodedProblem(decoded)) return 'encoded_separator';
    current = decoded;
  }
  // Still changing after several rounds: nobody encodes a path four times on purpose.
  return 'malformed_encoding';
}

export function isSafeRedirectPath(path: string): boolean {
  return redirectPathProblem(path) === null;
}

function shapeProblem(path: string): RedirectPathProblem | null {
  if (path[0] !== '/') return 'not_rooted'; // also refuses every `scheme:` form
  if (path.includes('\\')) return 'backslash';
  if (path.includes('//')) return 'protocol_relative';
  if (FORBIDDEN.test(path)) return 'forbidden_character';
  if (separatorAfterNfkc(path)) return 'compatibility_separator';
  return null;
}

/**
 * Compatibility forms of the separators (`／` U+FF0F, `＼` U+FF3C, `﹨` U+FE68, …) are harmless to a browser,
 * which resolves the raw path same-origin, but a consumer that normalises (NFKC) would read `/／evil.com` as
 * `//evil.com`. Refused when normalising creates a `//` or `\` the raw form did not have.
 */
function separatorAfterNfkc(s: string): boolean {
  const nfkc = s.normalize('NFKC');
  return nfkc !== s && (nfkc.includes('//') || nfkc.includes('\\'));
}

// After decoding, an encoded space (`%20`) is fine in a query; encoded separators and control bytes are not.
const CONTROL = /\p{Cc}/u;

function decodedProblem(decoded: string): boolean {
  return decoded.includes('\\') || decoded.includes('//') || CONTROL.test(decoded) || separatorAfterNfkc(decoded);
}

/** Public messages per problem: they describe the rule, never echo the input. */
export const REDIRECT_PATH_MESSAGES: Record<RedirectPathProblem, string> = {
  too_long: `must be at most ${MAX_REDIRECT_PATH_LENGTH} characters`,
  not_rooted: 'must be a relative path starting with a single "/"',
  protocol_relative: 'must not contain "//"',
  backslash: 'must not contain "\\"',
  forbidden_character: 'must not contain whitespace or control characters',
  malformed_encoding: 'must be correctly percent-encoded',
  encoded_separator: 'must not contain percent-encoded "//", "\\" or control characters',
  compatibility_separator: 'must not contain characters that normalise (NFKC) to "//" or "\\"',
};
