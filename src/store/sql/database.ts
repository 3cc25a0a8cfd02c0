/**
 * Opens Finch's database: embedded SQLite (the default, one file under the data directory) or
 * PostgreSQL when a `postgres://` URL is given (to run several Finch nodes on one database).
 *
 * Losing the database never ends the process: every connection, in use or idle, has an error
 * listener; the drivers' errors that mean "unavailable" reach the stores' callers as the port's
 * `DatabaseUnavailableError` (errors.ts), and new connections are made once it is back.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { ChangeFeed } from './change-feed.js';
import { translateError, WriteHealth } from './errors.js';
import type { Schema } from './schema.js';
import type { PoolCounts } from '../metrics-port.js';
import { withNamedStatements } from './named-statements.js';
import { withStatementCache } from './statement-cache.js';
import { AsyncBusySqliteDialect, SQLITE_BUSY_BUDGET_MS } from './sqlite-busy.js';
import { sqliteStoreVersion } from './store-version.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** Where the data lives, for people: the SQLite file, or the PostgreSQL server without credentials. */
  location: string;
  /** The conversations each committed write transaction changed (see change-feed.ts). */
  changes: ChangeFeed;
  /** Whether writes are being refused for storage reasons (full disk, read-only): for /health. */
  health: WriteHealth;
  /**
   * The connections of this process (for /metrics): PostgreSQL's pg.Pool counts; SQLite has one
   * connection, in use while a transaction holds it, and its waiters are not counted (0).
   */
  pool?: () => PoolCounts;
  /**
   * A value that moves whenever anything is committed, by any connection (store-version.ts):
   * SQLite only. PostgreSQL cannot tell without a statement; its version comes with each token
   * (sql-credential-store.ts).
   */
  version?: () => string | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A `postgres://` or `postgresql://` URL; absent for SQLite. */
  url?: string | undefined;
  /** Where the SQLite file goes. */
  dataDir: string;
  /** PostgreSQL connections per process. */
  poolSize?: number;
  /**
   * PostgreSQL: seconds a statement may run (or wait for a lock) before the server cancels it;
   * the client gives up on a connection that has not answered a second after that. 0 for none
   * (migrations, which may legitimately run long). Default 10. Unused by SQLite.
   */
  queryTimeoutSeconds?: number;
}

/** FINCH_DB_QUERY_TIMEOUT's default (seconds). */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 10;

export function openDatabase(options: DatabaseOptions): Database {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 10, options.queryTimeoutSeconds ?? DEFAULT_QUERY_TIMEOUT_SECONDS)
    : openSqlite(options.dataDir);
}

/**
 * Creates `dataDir` (owner only, 0700, when Finch creates it) and the empty SQLite file (0600)
 * before SQLite opens it: the database holds password hashes, the Fin webhook key and every
 * conversation. SQLite gives its -wal and -shm files the main file's permissions. A directory or
 * file that already exists keeps the permissions its operator chose.
 */
export function prepareDataFile(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.resolve(dataDir, name);
  try {
    // 'wx' creates only: an existing file is left as it is (and not truncated).
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return file;
}

function openSqlite(dataDir: string): Database {
  let sqlite: BetterSqlite3.Database | undefined;
  let file: string;
  try {
    file = prepareDataFile(dataDir, 'finch.db');
    // Opening waits synchronously (up to 5 s) for another process's lock: nothing is served yet.
    sqlite = new BetterSqlite3(file, { timeout: SQLITE_BUSY_BUDGET_MS });
    // WAL lets the CLI and the server use the file at once (readers never wait for a writer);
    // NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // From here on a statement meeting another process's lock fails at once (SQLITE_BUSY) and is
    // retried asynchronously (sqlite-busy.ts): SQLite's own busy wait sleeps inside the call and
    // would stop the whole process, every request and /health included, for as long.
    sqlite.pragma('busy_timeout = 0');
  } catch (error) {
    // A file that cannot be opened or written (read-only, a full disk) is said so, not as a crash.
    sqlite?.close();
    throw translateError(error);
  }
  const health = new WriteHealth();
  const opened = sqlite;
  const db = new Kysely<Schema>({
    dialect: new AsyncBusySqliteDialect({ database: withStatementCache(opened, health) }, () => opened.inTransaction),
  });
  // Polled by the change feed: a busy moment repeats the last value (the next poll sees the change).
  let lastDataVersion = 0;
  const sqliteDataVersion = () => {
    try {
      lastDataVersion = opened.pragma('data_version', { simple: true }) as number;
    } catch (error) {
      if (!/^SQLITE_BUSY/.test(String((error as { code?: unknown }).code))) throw error;
    }
    return lastDataVersion;
  };
  const pool = (): PoolCounts => {
    const inUse = opened.open && opened.inTransaction ? 1 : 0;
    return { inUse, idle: 1 - inUse, waiting: 0, max: 1 };
  };
  const version = sqliteStoreVersion(opened);
  return withChanges({ db, dialect: 'sqlite', location: file, health, pool, version }, new ChangeFeed({ sqliteDataVersion }));
}

const INT8 = 20;
/** How long getting a PostgreSQL connection may take before the request is answered 503. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Idle time before the kernel starts probing a PostgreSQL connection. */
const KEEP_ALIVE_DELAY_MS = 10_000;
/**
 * How long a pooled PostgreSQL connection may sit idle before the pool closes it (pg-pool's own
 * default is 10 s). The pool hands out the connection released last, so under steady load the
 * spare ones idle for seconds at a time; at 10 s they were closed and reopened all along
 * (about nine a minute for a server and two workers under the soak), each one a new server
 * process that prepares Finch's statements again. Five minutes keeps what a busy spell needed;
 * a quiet process still gives its connections back. docs/decisions.md, "PostgreSQL connections
 * kept five minutes".
 */
const IDLE_CONNECTION_MS = 5 * 60_000;
const TIMESTAMPTZ = 1184;

/** How much later than the server's statement_timeout the client gives up on an unanswered query. */
const CLIENT_GRACE_MS = 1_000;

function openPostgres(url: string, poolSize: number, queryTimeoutSeconds: number): Database {
  const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ) as (value: string) => Date;
  // pg asks for a parser per column of every result: the same two functions each time, not two
  // new closures per column of every query.
  const parseInt8 = (value: string) => Number(value);
  const parseTimestamptz = (value: string) => isoFromPostgres(value, parseTimestamp);
  // Parsers for this pool only, so an application embedding Finch keeps its own pg settings.
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8) return parseInt8;
      if (oid === TIMESTAMPTZ) return parseTimestamptz;
      return pg.types.getTypeParser(oid, format as 'text');
    }) as typeof pg.types.getTypeParser,
  };
  // Sessions in UTC, so timestamps arrive as "2025-10-27 14:30:00.123+00" and convert by string.
  const pool = new pg.Pool({
    connectionString: url,
    // Statements held in a transaction go out with the next one (named-statements.ts).
    pipeline: true,
    max: poolSize,
    types,
    options: '-c TimeZone=UTC',
    // Waiting for a connection (a new one, or a free one of the pool) fails after this long, so a
    // request answers 503 instead of hanging while the database is unreachable.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    // A connection whose peer vanished (a network drop) is noticed by the kernel, not never.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
    ...(queryTimeoutSeconds > 0 ? statementTimeouts(queryTimeoutSeconds * 1000) : {}),
  });
  // A connection the server drops (a restart, pg_terminate_backend, a network drop) emits 'error'
  // whether idle or in use. The pool listens on idle ones only; one in use between two queries
  // (inside a transaction) would otherwise crash the process. Its next query fails instead, and
  // the pool discards it when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const health = new WriteHealth();
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool, health) }) });
  const counts = (): PoolCounts => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize });
  return withChanges({ db, dialect: 'postgres', location: redactUrl(url), health, pool: counts }, new ChangeFeed({ postgresUrl: url }));
}

/**
 * Bounds on one statement, so that a request always answers: the server cancels a statement that
 * ran or waited for a lock this long (57014, 55P03: 503 busy); the client gives up on a
 * connection that has not answered a second later (a stalled network or server: 503 unreachable)
 * and that connection is discarded, never reused (named-statements.ts), so a late answer cannot
 * reach the next query.
 */
function statementTimeouts(ms: number): Pick<pg.PoolConfig, 'statement_timeout' | 'lock_timeout' | 'query_timeout'> {
  return { statement_timeout: ms, lock_timeout: ms, query_timeout: ms + CLIENT_GRACE_MS };
}

function withChanges(database: Omit<Database, 'changes' | 'close'>, changes: ChangeFeed): Database {
  return {
    ...database,
    changes,
    close: async () => {
      await changes.close();
      await database.db.destroy();
    },
  };
}

const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as Finch's ISO form (`2025-10-27T14:30:00.123Z`). The string rewrite is several
 * times cheaper than building a Date for each value of each row; anything unexpected (another
 * time zone, BC dates) takes the general path.
 */
export function isoFromPostgres(value: string, parse: (value: string) => Date): string {
  const match = UTC_TIMESTAMP.exec(value);
  if (!match) return parse(value).toISOString();
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}

/**
 * libpq connection parameters that carry a secret when given in the URL's query: the password
 * and the passphrase of the client key (https://www.postgresql.org/docs/current/libpq-connect.html).
 * Paths (sslkey, sslcert, passfile) are not secrets.
 */
const SECRET_PARAMETERS = new Set(['password', 'sslpassword']);

/** The URL without its password (in `user:pw@` or as a query parameter), fit for logs and banners. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMETERS.has(key.toLowerCase())) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/**
 * What a write transaction changed: conversations (for the inbox), whether the outbox got events,
 * whether routing may have work, and whether notifications were queued (change-feed.ts says who
 * hears of each).
 */
export class WriteNotes extends Set<string> {
  /** Dispatchers in other processes should look (PostgreSQL: NOTIFY finch_outbox at commit). */
  outboxWritten = false;
  /** A conversation was created, or its status or assignee written: routers should look. */
  routable = false;
  /** Notifications were queued: this process's senders should look (change-feed.ts). */
  notificationsQueued = false;
}

/**
 * Runs `work` in a write transaction. On SQLite it starts with BEGIN IMMEDIATE, taking the write
 * lock up front: a transaction that reads first and writes later could otherwise fail when
 * another process (the CLI, a worker) wrote in between.
 *
 * `work` notes in `changed` the conversations it changed as the inbox shows them, and whether it
 * wrote to the outbox; they are announced (one statement on PostgreSQL) once the transaction
 * commits, and not at all if it fails.
 */
export async function writeTransaction<T>(database: Database, work: (trx: Kysely<Schema>, changed: WriteNotes) => Promise<T>): Promise<T> {
  const changed = new WriteNotes();
  const workThenNotify = async (trx: Kysely<Schema>) => {
    const result = await work(trx, changed);
    if (changed.size > 0 || changed.outboxWritten || changed.routable) {
      await database.changes.notify(trx, changed, { outboxWritten: changed.outboxWritten, routable: changed.routable });
    }
    return result;
  };
  const result =
    database.dialect === 'postgres'
      ? await database.db.transaction().execute((trx: Transaction<Schema>) => workThenNotify(trx))
      : await database.db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            const result = await workThenNotify(conn);
            await sql`commit`.execute(conn);
            return result;
          } catch (error) {
            // SQLite may already have rolled back on its own (e.g. a full disk); the first error matters.
            await sql`rollback`.execute(conn).catch(() => undefined);
            throw error;
          }
        });
  if (changed.size > 0 || changed.routable) database.changes.committed(changed, changed.routable);
  if (changed.notificationsQueued) database.changes.notificationsQueued();
  return result;
}

/**
 * Where a store's statements run: the database itself (each statement, or each `atomically`,
 * commits on its own) or one write transaction of `writeTransaction`, with the notes it collects.
 * Every SQL store is constructed over either, so the same class serves reads and the unit of work.
 */
export type SqlScope = Database | TransactionScope;

/** One write transaction's connection (Kysely's `trx`) and what it changed so far. */
export interface TransactionScope {
  db: Kysely<Schema>;
  dialect: Dialect;
  notes: WriteNotes;
}

/**
 * Runs `work` atomically in `scope`: in a new write transaction over a database, or as part of the
 * transaction a transaction scope already is (no nesting: its commit is the enclosing one's).
 */
export function atomically<T>(scope: SqlScope, work: (trx: Kysely<Schema>, changed: WriteNotes) => Promise<T>): Promise<T> {
  return 'notes' in scope ? work(scope.db, scope.notes) : writeTransaction(scope, work);
}

/**
 * Commits a write that changes nothing, to learn whether the database takes writes again after a
 * storage failure (full disk, read-only): on SQLite it rewrites the header's `user_version` with
 * its own value (one page to the WAL, which is what a full disk refuses); on PostgreSQL it commits
 * a transaction that takes a transaction id (a WAL record) and updates a table (refused when the
 * database is read-only). Success clears `database.health`; failure throws
 * `DatabaseUnavailableError`. (On PostgreSQL a full data directory may still refuse larger writes
 * after a probe succeeded: the next such write notes the failure again.)
 */
export async function probeWrite(database: Database): Promise<void> {
  if (database.dialect === 'postgres') {
    await database.db.transaction().execute(async (trx) => {
      await sql`select txid_current()`.execute(trx);
      // Refused in a read-only transaction (a standby, default_transaction_read_only), though it changes no row.
      await sql`update finch_migrations_lock set is_locked = is_locked where false`.execute(trx);
    });
    return;
  }
  await database.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(conn);
      await sql.raw(`pragma user_version = ${Math.trunc(Number(rows[0]?.user_version ?? 0))}`).execute(conn);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
