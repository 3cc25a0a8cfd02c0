/**
 * Waiting for another process's SQLite lock without stopping this one. SQLite's own busy timeout
 * sleeps inside the call, and better-sqlite3 calls synchronously: while the CLI or a worker held
 * the write lock, every request and /health of the server stood still. Finch opens the file with
 * `busy_timeout = 0`; a statement that meets the lock fails at once with SQLITE_BUSY and is tried
 * again here after an asynchronous pause (5 ms doubling to 100 ms), for up to
 * `SQLITE_BUSY_BUDGET_MS` in all; then the `DatabaseUnavailableError` (reason `busy`, 503 with
 * Retry-After 2) goes to the caller.
 *
 * Trying again is safe because a statement that failed with SQLITE_BUSY did nothing
 * (https://sqlite.org/rescode.html#busy): outside a transaction (an autocommit write, BEGIN
 * IMMEDIATE) nothing is held, so the one connection is handed back to Kysely while waiting and the
 * process's other queries (reads never wait for a writer in WAL mode) run meanwhile. Inside a
 * transaction the connection is kept: a COMMIT that says SQLITE_BUSY leaves the transaction open
 * and may be repeated (https://sqlite.org/lang_transaction.html; in WAL mode it does not happen,
 * as readers do not block a commit). SQLITE_BUSY_SNAPSHOT inside a transaction is not tried again:
 * its snapshot is stale and repeating cannot succeed; the caller's transaction fails (503).
 */
import {
  SqliteDialect,
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';
import { DatabaseUnavailableError } from '../port.js';
import { TransactionalSqliteAdapter } from './sqlite-migration-adapter.js';

/** The longest a statement waits for another process's lock, in all (ms). */
export const SQLITE_BUSY_BUDGET_MS = 5_000;
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 100;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SQLite result code under a translated error, if it is one of the SQLITE_BUSY family. */
function busyCode(error: unknown): string | undefined {
  if (!(error instanceof DatabaseUnavailableError) || error.reason !== 'busy') return undefined;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY') ? code : undefined;
}

/** Kysely's SQLite dialect whose statements wait for other processes' locks asynchronously. */
export class AsyncBusySqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    /** Whether the connection is inside a transaction now (better-sqlite3's `inTransaction`). */
    private readonly inTransaction: () => boolean,
    private readonly budgetMs = SQLITE_BUSY_BUDGET_MS,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new AsyncBusyDriver(super.createDriver(), this.inTransaction, this.budgetMs);
  }

  /** Migrations in one transaction under a write lock (sqlite-migration-adapter.ts). */
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

class AsyncBusyDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly inTransaction: () => boolean,
    private readonly budgetMs: number,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new AsyncBusyConnection(await this.inner.acquireConnection(), this);
  }

  /** Runs `query` on `held`, waiting out SQLITE_BUSY as the file comment says. */
  async execute<R>(held: AsyncBusyConnection, query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.budgetMs;
    for (let pauseMs = FIRST_PAUSE_MS; ; pauseMs = Math.min(pauseMs * 2, LONGEST_PAUSE_MS)) {
      try {
        return await held.inner.executeQuery<R>(query);
      } catch (error) {
        const code = busyCode(error);
        const inTransaction = this.inTransaction();
        if (code === undefined || (inTransaction && code === 'SQLITE_BUSY_SNAPSHOT') || Date.now() + pauseMs > deadline) throw error;
        if (inTransaction) {
          await pause(pauseMs);
        } else {
          // Nothing is held: let the process's other queries use the connection while waiting.
          await this.inner.releaseConnection(held.inner);
          await pause(pauseMs);
          held.inner = await this.inner.acquireConnection();
        }
      }
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    await this.inner.savepoint!(connection, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]): Promise<void> {
    await this.inner.rollbackToSavepoint!(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]): Promise<void> {
    await this.inner.releaseSavepoint!(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as AsyncBusyConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Kysely's connection, whose statements go through the driver's waiting loop. */
class AsyncBusyConnection implements DatabaseConnection {
  constructor(
    public inner: DatabaseConnection,
    private readonly driver: AsyncBusyDriver,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}
