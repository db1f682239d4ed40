/**
 * The signed `date` / `x-date` must be within the allowed skew of Gatehouse's (injected) clock, as OCI
 * itself requires of its own clock. Checking it locally refuses stale captures before any network call,
 * and bounds how long a replay claim has to be kept.
 */
import { AuthError } from '@gatehouse-auth/core';

/** IMF-fixdate (RFC 9110 §5.6.7), what every OCI SDK sends: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT$/;

/** Parses an IMF-fixdate; null unless it is well formed and names a real instant (weekday included). */
export function parseHttpDate(value: string): Date | null {
  if (!IMF_FIXDATE.test(value)) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const date = new Date(ms);
  // Round-trip: refuses `Mon, 31 Feb…` or a wrong weekday that Date.parse would silently accept.
  return date.toUTCString() === value ? date : null;
}

/**
 * Checks every signed date header (`date`, `x-date`) and returns the latest of them: the moment after
 * which (plus the skew) nobody accepts this signature any more.
 */
export function checkSignedDates(
  signedHeaders: readonly string[],
  headers: { date?: string | undefined; 'x-date'?: string | undefined },
  now: Date,
  skewMs: number,
): Date {
  let latest: Date | undefined;
  for (const name of ['x-date', 'date'] as const) {
    if (!signedHeaders.includes(name)) continue;
    const raw = headers[name];
    if (raw === undefined) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signed_header_missing', message: `The signed header ${name} is missing from headers` });
    const date = parseHttpDate(raw);
    if (!date) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signed_date_malformed', message: `headers.${name} must be an HTTP date (IMF-fixdate)` });
    if (Math.abs(date.getTime() - now.getTime()) > skewMs) {
      throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signed_date_out_of_window', message: 'The signed request date is outside the allowed clock skew' });
    }
    if (!latest || date > latest) latest = date;
  }
  if (!latest) throw new AuthError({ kind: 'unauthenticated', reasonCode: 'signed_headers_incomplete' });
  return latest;
}
