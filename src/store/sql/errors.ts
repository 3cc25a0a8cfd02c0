/**
 * What the drivers' errors mean for Finch. Most are bugs or the caller's doing and pass through
 * unchanged; those that say the database cannot serve right now become the port's
 * `DatabaseUnavailableError`, so the layers above never look at SQL error codes.
 */
import { DatabaseUnavailableError } from '../port.js';

/** A unique index refused the write (PostgreSQL 23505, SQLite's constraint error). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Why the database cannot serve: `connection` (unreachable, restarting, connection lost or none
 * free in time: `select 1` tells when it is back), `storage` (it refuses writes: full disk,
 * read-only, I/O error; reads may still work, so only a write tells when it is over), `busy`
 * (another process held SQLite's write lock past the busy budget; PostgreSQL cancelled a statement
 * that ran or waited for a lock past FINCH_DB_QUERY_TIMEOUT).
 */
export type Unavailability = 'connection' | 'storage' | 'busy';

/** Seconds a caller should wait before trying again, by cause (the `Retry-After` value). */
export const RETRY_AFTER_SECONDS: Record<Unavailability, number> = { connection: 5, storage: 30, busy: 2 };

/** Socket errors: the server is not there, or the connection to it broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ECONNABORTED',
]);

/**
 * PostgreSQL SQLSTATEs (Appendix A): class 08 (connection exception); 57P01 admin shutdown, 57P02
 * crash shutdown, 57P03 cannot connect now (starting up, shutting down); 53300 too many
 * connections. Storage: 53100 disk full, 58030 I/O error, 25006 read-only transaction (a standby).
 */
const PG_CONNECTION = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
const PG_STORAGE = new Set(['53100', '58030', '25006']);
/** 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout). */
const PG_BUSY = new Set(['57014', '55P03']);

/** What node-postgres says when a connection ended, was unusable, or could not be had in time. */
const PG_DRIVER_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Query read timeout)/;

/** SQLite result codes (https://sqlite.org/rescode.html), extended codes included by prefix. */
const SQLITE_STORAGE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)/;

/** Why `error` means the database is unavailable, or undefined when it means something else. */
export function unavailability(error: unknown): Unavailability | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || PG_CONNECTION.test(code)) return 'connection';
    if (PG_STORAGE.has(code) || SQLITE_STORAGE.test(code)) return 'storage';
    if (SQLITE_BUSY.test(code) || PG_BUSY.has(code)) return 'busy';
  }
  if (typeof message === 'string' && PG_DRIVER_MESSAGES.test(message)) return 'connection';
  // Node reports a refused connection to every address of a name as one AggregateError.
  if (Array.isArray(errors) && errors.some((inner) => unavailability(inner) === 'connection')) return 'connection';
  return cause !== undefined && cause !== error ? unavailability(cause) : undefined;
}

const REASONS = { connection: 'unreachable', storage: 'refusing_writes', busy: 'busy' } as const satisfies Record<
  Unavailability,
  DatabaseUnavailableError['reason']
>;

const DESCRIPTIONS: Record<Unavailability, string> = {
  connection: 'the database cannot be reached',
  storage: 'the database cannot be opened or written',
  busy: 'the database stayed locked or busy for too long',
};

/**
 * Notes how the database's writes are faring, for `/health`: a write refused for storage reasons
 * (full disk, read-only, I/O error) is remembered until /health's probe write commits. Reads may keep
 * working meanwhile, so a `select 1` alone would call such a database healthy.
 */
export class WriteHealth {
  private failure: DatabaseUnavailableError | undefined;

  /** The last storage failure, until a probe write commits (finch.ts `ping`). */
  get lastFailure(): DatabaseUnavailableError | undefined {
    return this.failure;
  }

  failed(error: DatabaseUnavailableError): void {
    this.failure = error;
  }

  committed(): void {
    this.failure = undefined;
  }
}

/**
 * `error` as Finch should see it: a `DatabaseUnavailableError` (keeping the driver's error as its
 * cause) when it means the database is unavailable, otherwise unchanged. A storage failure is
 * noted in `health`.
 */
export function translateError(error: unknown, health?: WriteHealth): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const why = unavailability(error);
  if (why === undefined) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const translated = new DatabaseUnavailableError(`${DESCRIPTIONS[why]}: ${detail}`, RETRY_AFTER_SECONDS[why], { cause: error, reason: REASONS[why] });
  if (why === 'storage') health?.failed(translated);
  return translated;
}
