import { AuthError, StoreUnavailableError } from '@gatehouse-auth/core';
import { describe, expect, it } from 'vitest';
import { isForeignKeyViolation, isUniqueViolation, SqlError, toStoreError } from './errors.js';

const driverError = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

describe('toStoreError', () => {
  it.each([
    ['connection refused', driverError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['connection reset', driverError('read ECONNRESET', { code: 'ECONNRESET' })],
    ['pool connect timeout', driverError('timeout exceeded when trying to connect')],
    ['client read timeout', driverError('Query read timeout')],
    ['connection ended', driverError('Connection terminated unexpectedly')],
    ['statement_timeout', driverError('canceling statement due to statement timeout', { code: '57014' })],
    ['admin shutdown', driverError('terminating connection due to administrator command', { code: '57P01' })],
    ['starting up', driverError('the database system is starting up', { code: '57P03' })],
    ['connection exception class 08', driverError('connection failure', { code: '08006' })],
    ['too many connections', driverError('sorry, too many clients already', { code: '53300' })],
    ['closed PGlite', driverError('PGlite is closed')],
  ])('%s → StoreUnavailableError (503)', (_name, err) => {
    const mapped = toStoreError(err);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as StoreUnavailableError).kind).toBe('unavailable');
    expect((mapped as StoreUnavailableError).reasonCode).toBe('store_unavailable');
  });

  it('constraint violations become SqlError with code and constraint', () => {
    const mapped = toStoreError(driverError('duplicate key value violates unique constraint', { code: '23505', constraint: 'gatehouse_users_email_unique' }));
    expect(mapped).toBeInstanceOf(SqlError);
    expect(isUniqueViolation(mapped)).toBe(true);
    expect(isUniqueViolation(mapped, 'email_unique')).toBe(true);
    expect(isUniqueViolation(mapped, 'username_unique')).toBe(false);
    expect(isForeignKeyViolation(mapped)).toBe(false);
    expect(isForeignKeyViolation(toStoreError(driverError('fk', { code: '23503' })))).toBe(true);
  });

  it('drops what the driver attached (query parameters) from the cause', () => {
    const mapped = toStoreError(driverError('boom', { code: '22P02', query: 'SELECT $1', params: ['$argon2id$secret-hash'] }));
    const cause = mapped.cause as Record<string, unknown>;
    expect(cause.code).toBe('22P02');
    expect(cause.params).toBeUndefined();
    expect(cause.query).toBeUndefined();
    expect(JSON.stringify(Object.entries(mapped))).not.toContain('secret-hash');
    const outage = toStoreError(driverError('Query read timeout', { params: ['$argon2id$secret-hash'] }));
    expect((outage.cause as Record<string, unknown>).params).toBeUndefined();
  });

  it.each([
    ['NUL in text', driverError('invalid byte sequence for encoding "UTF8": 0x00', { code: '22021', params: ['a\u0000b'] })],
    ['untranslatable character', driverError('character with byte sequence has no equivalent', { code: '22P05' })],
  ])('%s → the caller\'s 400, not a 500 or an outage', (_name, err) => {
    const mapped = toStoreError(err);
    expect(mapped).toBeInstanceOf(AuthError);
    expect(mapped).toMatchObject({ kind: 'bad_request', reasonCode: 'unstorable_characters' });
    expect(JSON.stringify(Object.entries(mapped))).not.toContain('a\u0000b');
  });

  it('leaves already classified errors alone', () => {
    const unavailable = new StoreUnavailableError();
    expect(toStoreError(unavailable)).toBe(unavailable);
    const sql = new SqlError('x', '23505', undefined, undefined);
    expect(toStoreError(sql)).toBe(sql);
  });
});
