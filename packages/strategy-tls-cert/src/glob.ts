// Allow-list globs, matched without regular expressions: picomatch and friends compile `*` to backtracking
// regexes, and `*a*a*a*b` against a long SAN takes tens of seconds. This matcher is O(pattern × value).
//
// Syntax: `*` matches any run of characters inside one segment; a segment that is exactly `**` matches one or
// more whole segments. Everything else is literal. Segments are split on `separator` (none: one segment).

export interface GlobOptions {
  /** `.` for DNS names, `/` for URIs, undefined for free text. */
  separator?: string;
  caseInsensitive?: boolean;
}

export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string, options: GlobOptions = {}): Matcher {
  const fold = (s: string) => (options.caseInsensitive ? s.toLowerCase() : s);
  const split = (s: string) => (options.separator === undefined ? [s] : s.split(options.separator));
  const patternSegments = split(fold(pattern));
  return (value) => matchSegments(patternSegments, split(fold(value)));
}

/** DP over segments: `reachable[j]` = the pattern so far matches the first j value segments. */
function matchSegments(pattern: string[], value: string[]): boolean {
  let reachable = new Array<boolean>(value.length + 1).fill(false);
  reachable[0] = true;
  for (const segment of pattern) {
    const next = new Array<boolean>(value.length + 1).fill(false);
    if (segment === '**') {
      let seen = false;
      for (let j = 0; j < value.length; j++) {
        seen ||= reachable[j]!;
        if (seen) next[j + 1] = true; // one or more segments
      }
    } else {
      for (let j = 0; j < value.length; j++) if (reachable[j] && matchSegment(segment, value[j]!)) next[j + 1] = true;
    }
    reachable = next;
  }
  return reachable[value.length]!;
}

/** Classic wildcard match with `*` only: greedy, remembering the last star (O(n·m) worst case, no recursion). */
export function matchSegment(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (star !== -1) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
