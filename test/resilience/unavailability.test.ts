/**
 * Which driver errors mean "the database is unavailable" (503, try again) and which mean something
 * else (passed on as they are). The errors are shaped as node-postgres and better-sqlite3 raise
 * them; the outage tests produce the real ones.
 */
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/store/port.js';
import { translateError, unavailability, WriteHealth } from '../../src/store/sql/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('unavailability', () => {
  it.each([
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['ETIMEDOUT', 'connection'],
    ['57P01', 'connection'],
    ['57P02', 'connection'],
    ['57P03', 'connection'],
    ['08006', 'connection'],
    ['08P01', 'connection'],
    ['53300', 'connection'],
    ['53100', 'storage'],
    ['25006', 'storage'],
    ['SQLITE_FULL', 'storage'],
    ['SQLITE_READONLY', 'storage'],
    ['SQLITE_READONLY_DBMOVED', 'storage'],
    ['SQLITE_IOERR_WRITE', 'storage'],
    ['SQLITE_CANTOPEN', 'storage'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
  ])('%s is %s', (code, kind) => {
    expect(unavailability(withCode(code))).toBe(kind);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('node-postgres saying "%s" is a lost connection', (message) => {
    expect(unavailability(new Error(message))).toBe('connection');
  });

  it('sees a refused connection inside an AggregateError and through a cause', () => {
    expect(unavailability(new AggregateError([withCode('ECONNREFUSED')], 'connect failed'))).toBe('connection');
    expect(unavailability(new Error('migration failed', { cause: withCode('57P03') }))).toBe('connection');
  });

  it.each(['23505', '23503', '40001', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_CORRUPT'])('%s is something else', (code) => {
    expect(unavailability(withCode(code))).toBeUndefined();
    const error = withCode(code);
    expect(translateError(error)).toBe(error);
  });

  it('translates with a Retry-After by cause, keeping the driver error, and notes storage failures until a commit', () => {
    const health = new WriteHealth();
    const lost = translateError(withCode('57P01', 'terminating connection due to administrator command'), health) as DatabaseUnavailableError;
    expect(lost).toBeInstanceOf(DatabaseUnavailableError);
    expect(lost.retryAfterSeconds).toBe(5);
    expect(lost.reason).toBe('unreachable');
    expect((lost.cause as { code: string }).code).toBe('57P01');
    expect(health.lastFailure).toBeUndefined();
    const full = translateError(withCode('SQLITE_FULL', 'database or disk is full'), health) as DatabaseUnavailableError;
    expect(full.retryAfterSeconds).toBe(30);
    expect(full.reason).toBe('refusing_writes');
    expect(health.lastFailure).toBe(full);
    expect(translateError(full, health)).toBe(full);
    health.committed();
    expect(health.lastFailure).toBeUndefined();
  });
});
