/**
 * Database-level operations for `finch backup`, `finch restore` and `finch migrate-to-postgres`:
 * what a Finch SQLite file holds (its migration level, its tables), a consistent copy of a live
 * SQLite file, and the copy of every table from SQLite into PostgreSQL.
 *
 * Everything Finch keeps is in the database: attachments (`files.data`), the file-signing key and
 * the Fin settings (`settings`), credentials (hashes only). The data directory also holds, besides
 * `finch.db` and its `-wal`/`-shm`, only throwaway files: `first-admin.txt` and `fin-client.txt`
 * (first-start secrets, meant to be deleted) and, for the demo, `demo-credentials.json` and
 * `emulator/` (the Fin emulator's own state). So one SQLite file is a complete backup.
 */
import { closeSync, fsyncSync, openSync, readSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { MIGRATION_NAMES } from './migrations/index.js';

/** The database file's name inside FINCH_DATA_DIR (database.ts's `openSqlite`). */
export const SQLITE_FILE = 'finch.db';

/**
 * Finch's tables in an order where every table comes after the tables it references (foreign
 * keys: migrations 0001 to 0014), so rows can be inserted table by table.
 */
export const TABLES_IN_DEPENDENCY_ORDER = [
  'end_users',
  'agents',
  'conversations',
  'messages',
  'oauth_clients',
  'access_tokens',
  'api_tokens',
  'agent_sessions',
  'settings',
  'outbox_events',
  'webhook_deliveries',
  'canned_replies',
  'files',
  'rate_limits',
  'job_leases',
  'agent_connections',
  'conversation_activity',
  'notifications',
] as const;

/**
 * Tables that are not data: Kysely's migration bookkeeping (the target gets its own by migrating)
 * and SQLite's full-text indexes (`*_fts*`, derived from `title_words`/`body_words` by triggers;
 * PostgreSQL indexes those columns with GIN indexes instead).
 */
function isBookkeeping(table: string): boolean {
  return table === 'finch_migrations' || table === 'finch_migrations_lock' || /_fts(_|$)/.test(table) || table.startsWith('sqlite_');
}

/** The names of the migrations this Finch knows, in order (e.g. `0014_sla` last): the ones `finch start` applies. */
export async function currentMigrations(): Promise<string[]> {
  return [...MIGRATION_NAMES];
}

/** What a Finch SQLite file holds, as `inspectSqliteFile` finds it. */
export interface SqliteFileReport {
  /** The migrations applied to it, in order. */
  migrations: string[];
  /** Rows per data table (TABLES_IN_DEPENDENCY_ORDER's tables that exist in the file). */
  rows: Record<string, number>;
}

/** Why a file cannot be used as Finch's database; the message is one line, fit for the terminal. */
export class NotAFinchDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAFinchDatabaseError';
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether `file` starts with SQLite's 16-byte header (https://sqlite.org/fileformat.html). */
export function hasSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `file` is a sound Finch database: a SQLite file, `PRAGMA integrity_check` answering
 * `ok`, Finch's migration table present; and counts its rows. Opened read-only.
 *
 * @throws NotAFinchDatabaseError when it is not one, with the reason.
 */
export function inspectSqliteFile(file: string): SqliteFileReport {
  if (!hasSqliteHeader(file)) throw new NotAFinchDatabaseError(`${file} is not a SQLite database (a Finch backup is one)`);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new NotAFinchDatabaseError(`${file} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
    }
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((row) => row.name));
    if (!tables.has('finch_migrations')) throw new NotAFinchDatabaseError(`${file} is a SQLite database but not Finch's (it has no finch_migrations table)`);
    const migrations = (db.prepare('select name from finch_migrations order by name').all() as { name: string }[]).map((row) => row.name);
    const rows: Record<string, number> = {};
    for (const table of TABLES_IN_DEPENDENCY_ORDER) {
      if (tables.has(table)) rows[table] = (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
    }
    return { migrations, rows };
  } catch (error) {
    if (error instanceof NotAFinchDatabaseError) throw error;
    // SQLITE_NOTADB, SQLITE_CORRUPT and the like: the file is damaged or not a database.
    throw new NotAFinchDatabaseError(`${file} cannot be read as a SQLite database: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * Migrations in `applied` that this Finch does not know: the file was written by a newer Finch.
 * Empty when this Finch knows them all (the file may be older: the rest apply on the next start).
 */
export async function unknownMigrations(applied: string[]): Promise<string[]> {
  const known = new Set(await currentMigrations());
  return applied.filter((name) => !known.has(name));
}

/**
 * Copies the SQLite database `source` (live: a server may be writing to it) into `target`, a file
 * that exists and is empty (created by the caller with the mode it wants), through SQLite's online
 * backup API. All pages are copied in one step, which reads from one snapshot: in WAL mode the
 * writers go on meanwhile, and the copy is the database as of one committed transaction. The copy
 * is then switched to the rollback journal (one self-contained file, no `-wal`) and synced.
 * The source is opened read-write (though nothing is written) because a read-only connection
 * cannot open a WAL database whose `-shm` file is missing (no server running); `readonly` for a
 * source known to be in rollback-journal mode (a backup file), so it is never touched.
 */
export async function backupSqlite(source: string, target: string, options: { readonly?: boolean } = {}): Promise<void> {
  const db = new BetterSqlite3(source, { readonly: options.readonly ?? false, fileMustExist: true, timeout: 5_000 });
  try {
    // 0x7fffffff pages per step: the whole database in the step after the first (which copies none).
    await db.backup(target, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(target, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  syncFile(target);
}

/**
 * Flushes `file` to the disk, so that a rename or link after it never exposes a file not yet
 * written; with `flags` `'r'`, a directory (a new entry in it survives a power cut).
 */
export function syncFile(file: string, flags: 'r' | 'r+' = 'r+'): void {
  const fd = openSync(file, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** One table's rows on each side after `copySqliteToPostgres`. */
export interface TableCount {
  table: string;
  sqlite: number;
  postgres: number;
}

/** The target already holds data, or tables that are not Finch's: nothing was written. */
export class TargetNotEmptyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotEmptyError';
  }
}

/** Another process (a running Finch, a `finch` command) has the SQLite file open: the copy would miss its writes. */
export class SourceInUseError extends Error {
  constructor(file: string) {
    super(`another process has ${file} open (a running Finch?): stop every Finch process on it, then migrate; nothing was copied`);
    this.name = 'SourceInUseError';
  }
}

/** A PostgreSQL column's type, as information_schema spells it, decides how a SQLite value converts. */
type ColumnKind = 'boolean' | 'jsonb' | 'bytea' | 'other';

/** Parameters per INSERT statement stay below PostgreSQL's limit of 65,535 bind parameters. */
const MAX_PARAMETERS = 30_000;
/** And a batch holds at most this many bytes of values (attachments are up to 100 MB each). */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Copies every row of every Finch table from the SQLite file `sqliteFile` into the PostgreSQL
 * database `client` is connected to, which must already be migrated to the same level and hold no
 * rows. Runs in ONE PostgreSQL transaction: the target's tables are locked (SHARE ROW EXCLUSIVE: a
 * Finch node started on the target meanwhile waits), checked empty, filled table by table in
 * dependency order, and their row counts compared with the source's; any failure rolls it all
 * back. The source is held with an exclusive lock for the whole copy (nothing else may have it
 * open), so what is copied is all there is.
 *
 * Conversions (migrations 0001 to 0014): SQLite's 0/1 flags become booleans; JSON text goes into
 * jsonb as it is (PostgreSQL parses it; key order and white space are not kept, the value is);
 * ISO 8601 timestamps go into timestamptz(3) as they are; BLOBs become bytea; integers stay.
 *
 * @throws TargetNotEmptyError when a target table holds rows (nothing written).
 * @throws SourceInUseError when another process has the SQLite file open (within 5 s; nothing written).
 * @throws Error naming the table when PostgreSQL refuses a row (e.g. a NUL character, which
 *   PostgreSQL's text and jsonb cannot hold) or when counts differ; nothing is written.
 */
export async function copySqliteToPostgres(sqliteFile: string, client: pg.ClientBase): Promise<TableCount[]> {
  // Read-write for the same reason as in backupSqlite; nothing is written to it.
  const source = new BetterSqlite3(sqliteFile, { fileMustExist: true, timeout: 5_000 });
  try {
    // The file to ourselves for the whole copy: a Finch still running on it would go on
    // acknowledging writes the copy never sees. In WAL mode an exclusive lock cannot be had while
    // any other connection has the file open, even idle, so a running Finch is refused here.
    source.pragma('locking_mode = EXCLUSIVE');
    try {
      source.exec('begin exclusive');
    } catch (error) {
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw new SourceInUseError(sqliteFile);
      throw error;
    }
    const sourceTables = (source.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[])
      .map((row) => row.name)
      .filter((name) => !isBookkeeping(name));
    const unknown = sourceTables.filter((name) => !(TABLES_IN_DEPENDENCY_ORDER as readonly string[]).includes(name));
    if (unknown.length > 0) throw new Error(`the SQLite database has tables this Finch does not know how to copy: ${unknown.join(', ')}`);

    await client.query('begin');
    try {
      await client.query(`lock table ${TABLES_IN_DEPENDENCY_ORDER.map((t) => `"${t}"`).join(', ')} in share row exclusive mode`);
      const occupied: string[] = [];
      for (const table of TABLES_IN_DEPENDENCY_ORDER) {
        const { rows } = await client.query(`select exists (select 1 from "${table}") as any`);
        if (rows[0].any) occupied.push(table);
      }
      if (occupied.length > 0)
        throw new TargetNotEmptyError(`the target database already holds data (in ${occupied.join(', ')}); migrate into an empty database`);

      const counts: TableCount[] = [];
      for (const table of TABLES_IN_DEPENDENCY_ORDER) {
        const copied = await copyTable(source, client, table);
        const { rows } = await client.query(`select count(*)::bigint as n from "${table}"`);
        const count = { table, sqlite: copied, postgres: Number(rows[0].n) };
        if (count.sqlite !== count.postgres) throw new Error(`table ${table}: ${count.sqlite} rows read from SQLite but ${count.postgres} in PostgreSQL`);
        counts.push(count);
      }
      await client.query('commit');
      return counts;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      source.exec('rollback');
    }
  } finally {
    source.close();
  }
}

/** Copies one table in batches of multi-row INSERTs; returns the rows read from SQLite. */
async function copyTable(source: BetterSqlite3.Database, client: pg.ClientBase, table: string): Promise<number> {
  const sourceColumns = (source.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).map((row) => row.name);
  const { rows: targetRows } = await client.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1`,
    [table],
  );
  const kinds = new Map(targetRows.map((row) => [row.column_name, kindOf(row.data_type)]));
  const missing = sourceColumns.filter((column) => !kinds.has(column));
  const extra = [...kinds.keys()].filter((column) => !sourceColumns.includes(column));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `table ${table} differs between the databases (only in SQLite: ${missing.join(', ') || 'none'}; only in PostgreSQL: ${extra.join(', ') || 'none'}): are both at the same migration level?`,
    );
  }
  const columnList = sourceColumns.map((column) => `"${column}"`).join(', ');
  const columnKinds = sourceColumns.map((column) => kinds.get(column)!);
  const rowsPerBatch = Math.max(1, Math.floor(MAX_PARAMETERS / sourceColumns.length));

  let batch: unknown[][] = [];
  let batchBytes = 0;
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(', ')})`);
    try {
      await client.query(`insert into "${table}" (${columnList}) values ${tuples.join(', ')}`, values);
    } catch (error) {
      throw new Error(`copying table ${table} failed: ${(error as Error).message}`, { cause: error });
    }
    batch = [];
    batchBytes = 0;
  };
  // rowid order: the order the rows were written in (every Finch table is a rowid table).
  const rows = source.prepare(`select ${columnList} from "${table}" order by rowid`).raw(true).iterate() as IterableIterator<unknown[]>;
  for (const row of rows) {
    const converted = row.map((value, index) => convert(value, columnKinds[index]!, table, sourceColumns[index]!));
    batch.push(converted);
    batchBytes += converted.reduce<number>((sum, value) => sum + (Buffer.isBuffer(value) ? value.length : typeof value === 'string' ? value.length : 8), 0);
    copied++;
    // The iterator holds the SQLite statement open; awaiting here is fine (nothing else uses `source`).
    if (batch.length >= rowsPerBatch || batchBytes >= MAX_BATCH_BYTES) await flush();
  }
  await flush();
  return copied;
}

function kindOf(dataType: string): ColumnKind {
  return dataType === 'boolean' ? 'boolean' : dataType === 'jsonb' ? 'jsonb' : dataType === 'bytea' ? 'bytea' : 'other';
}

function convert(value: unknown, kind: ColumnKind, table: string, column: string): unknown {
  if (value === null) return null;
  if (kind === 'boolean') {
    if (value === 0 || value === 1) return value === 1;
    throw new Error(`table ${table}, column ${column}: ${JSON.stringify(value)} is not a 0/1 flag`);
  }
  return value;
}

/**
 * The tables of the current schema of the PostgreSQL database `client` is connected to, other
 * than Finch's: a target holding any is refused (it is someone else's database).
 */
export async function foreignTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const finch = new Set<string>([...TABLES_IN_DEPENDENCY_ORDER, 'finch_migrations', 'finch_migrations_lock']);
  return rows.map((row) => row.table_name).filter((name) => !finch.has(name));
}
