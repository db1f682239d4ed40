/** Canonical forms used for lookup, uniqueness and lockout keys. */

/** Longest username accepted, in characters after normalisation. */
export const MAX_USERNAME_LENGTH = 256;

/**
 * One canonical form for lookup and lockout: Unicode NFKC (so `ＡＤＭＩＮ` is `ADMIN`), trimmed, then
 * case-folded. `Admin`, `admin ` and `ＡＤＭＩＮ` are one user and one lockout counter.
 */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/** Same folding for email addresses (NFKC, trim, lower case), so `Ann@Example.COM` is one account. */
export function normaliseEmail(email: string): string {
  return normaliseUsername(email);
}
