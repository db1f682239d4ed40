/**
 * `login_state`: free-form JSON the console gets back in the redirect (`?state=`). It is echoed into a
 * `Location` header, so it is kept small and shallow; the size is measured without recursion so a deeply
 * nested value cannot overflow the stack.
 */

/** Largest `login_state` accepted, as compact JSON (UTF-8 bytes). */
export const MAX_LOGIN_STATE_BYTES = 2048;
/** Deepest nesting accepted inside `login_state` (the object itself is depth 1). */
export const MAX_LOGIN_STATE_DEPTH = 8;

export type LoginStateProblem = 'too_large' | 'too_deep';

/** Why the value is too big to echo, or null. The walk stops as soon as a limit is passed. */
export function loginStateProblem(value: unknown): LoginStateProblem | null {
  let bytes = 0;
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8') + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) bytes += String(v).length;
    else if (typeof v === 'object') {
      if (depth > MAX_LOGIN_STATE_DEPTH) return 'too_deep';
      bytes += 2;
      // A lower bound of the serialised size (escapes aside): commas, and `"key":` for objects.
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          bytes += i > 0 ? 1 : 0;
          if (bytes > MAX_LOGIN_STATE_BYTES) return 'too_large';
          stack.push({ v: v[i], depth: depth + 1 });
        }
      } else {
        let first = true;
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          bytes += (first ? 0 : 1) + Buffer.byteLength(key, 'utf8') + 3;
          first = false;
          if (bytes > MAX_LOGIN_STATE_BYTES) return 'too_large';
          stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 });
        }
      }
    }
    if (bytes > MAX_LOGIN_STATE_BYTES) return 'too_large';
  }
  // The walk bounded depth and (escapes aside) size, so the exact serialisation is now cheap and safe.
  return Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_LOGIN_STATE_BYTES ? 'too_large' : null;
}

/** The seed's redirect: `/sso/token#<token>?state=<url-encoded JSON of login_state>`. */
export function ssoRedirectLocation(token: string, loginState: Record<string, unknown>): string {
  return `/sso/token#${token}?state=${encodeURIComponent(JSON.stringify(loginState))}`;
}

/** Inverse of `ssoRedirectLocation`, for clients and tests: the token and the state from a Location. */
export function parseSsoRedirectLocation(location: string): { token: string; state: unknown } | null {
  const m = /^\/sso\/token#([^?]+)\?state=(.*)$/s.exec(location);
  if (!m) return null;
  try {
    return { token: m[1]!, state: JSON.parse(decodeURIComponent(m[2]!)) as unknown };
  } catch {
    return null;
  }
}
