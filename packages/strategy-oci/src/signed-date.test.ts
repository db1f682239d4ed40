import { AuthError } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { checkSignedDates, parseHttpDate } from './signed-date.js';

const now = new Date('2026-01-01T12:00:00Z');
const at = (deltaSeconds: number) => new Date(now.getTime() + deltaSeconds * 1000).toUTCString();
const reason = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).kind).toBe('unauthenticated');
    return (err as AuthError).reasonCode;
  }
};

describe('parseHttpDate', () => {
  it('reads IMF-fixdate', () => {
    expect(parseHttpDate('Thu, 01 Jan 2026 12:00:00 GMT')?.toISOString()).toBe('2026-01-01T12:00:00.000Z');
  });

  it.each([
    '2026-01-01T12:00:00Z',
    'Thursday, 01-Jan-26 12:00:00 GMT',
    'Thu Jan  1 12:00:00 2026',
    'Fri, 01 Jan 2026 12:00:00 GMT', // wrong weekday
    'Sat, 31 Feb 2026 12:00:00 GMT', // no such day
    'Thu, 01 Jan 2026 12:00:00 UTC',
    'Thu, 01 Jan 2026 12:00:00 +0000',
    'Thu, 1 Jan 2026 12:00:00 GMT',
    'Thu, 01 Jan 2026 12:00:60 GMT',
    ' Thu, 01 Jan 2026 12:00:00 GMT',
    '',
  ])('refuses %j', (value) => {
    expect(parseHttpDate(value)).toBeNull();
  });
});

describe('checkSignedDates', () => {
  const skew = 300_000;

  it('accepts dates up to ±5 minutes and returns the latest signed one', () => {
    expect(checkSignedDates(['x-date', '(request-target)', 'host'], { 'x-date': at(300) }, now, skew).toUTCString()).toBe(at(300));
    expect(checkSignedDates(['date', '(request-target)', 'host'], { date: at(-300) }, now, skew).toUTCString()).toBe(at(-300));
    expect(checkSignedDates(['date', 'x-date'], { date: at(-10), 'x-date': at(20) }, now, skew).toUTCString()).toBe(at(20));
  });

  it('refuses dates beyond the window either way', () => {
    expect(reason(() => checkSignedDates(['x-date'], { 'x-date': at(301) }, now, skew))).toBe('signed_date_out_of_window');
    expect(reason(() => checkSignedDates(['x-date'], { 'x-date': at(-301) }, now, skew))).toBe('signed_date_out_of_window');
    expect(reason(() => checkSignedDates(['x-date'], { 'x-date': at(-86_400) }, now, skew))).toBe('signed_date_out_of_window');
  });

  it('checks every signed date, ignores unsigned ones', () => {
    expect(reason(() => checkSignedDates(['date', 'x-date'], { date: at(-3600), 'x-date': at(0) }, now, skew))).toBe('signed_date_out_of_window');
    expect(reason(() => checkSignedDates(['x-date'], { date: at(-3600), 'x-date': at(0) }, now, skew))).toBe('accepted');
  });

  it('refuses a signed date header that is missing or malformed', () => {
    expect(reason(() => checkSignedDates(['x-date'], { date: at(0) }, now, skew))).toBe('signed_header_missing');
    expect(reason(() => checkSignedDates(['date'], { date: 'yesterday' }, now, skew))).toBe('signed_date_malformed');
    expect(reason(() => checkSignedDates(['host'], { date: at(0) }, now, skew))).toBe('signed_headers_incomplete');
  });
});
