/**
 * `finch migrate-to-postgres [--from DIR] [--to URL]`: moves a SQLite Finch to PostgreSQL. The
 * source is the SQLite database in DIR (default FINCH_DATA_DIR); the target the PostgreSQL
 * database at URL (default DATABASE_URL), which must hold no data. Both are brought to this
 * Finch's schema (the migrations `finch start` runs), then every table is copied in one PostgreSQL
 * transaction and the row counts compared (store/sql/copy-database.ts). Stop the servers on the
 * SQLite data first: what they write after the copy's snapshot is not copied.
 *
 * Exit status: 0 copied; 2 refused, nothing written (no source, a source that is not Finch's or is
 * from a newer Finch, a target holding data or other tables); 1 failed, nothing written (the
 * target unreachable, a row PostgreSQL refuses).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../config.js';
import {
  copySqliteToPostgres,
  foreignTables,
  inspectSqliteFile,
  NotAFinchDatabaseError,
  SQLITE_FILE,
  type SqliteFileReport,
  type TableCount,
  TABLES_IN_DEPENDENCY_ORDER,
  SourceInUseError,
  TargetNotEmptyError,
  unknownMigrations,
  currentMigrations,
} from '../store/sql/copy-database.js';
import { redactUrl } from '../store/sql/database.js';
import { migrateToLatest } from '../store/sql/migrations/index.js';
import { requireSupportedPostgres } from '../store/sql/postgres-release.js';
import { AsyncBusySqliteDialect } from '../store/sql/sqlite-busy.js';
import { UsageError } from './usage.js';

/** How long connecting to the target may take before the command gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function migrateToPostgresCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });
  const config = loadConfig();
  const from = values.from ? path.resolve(values.from) : config.dataDir;
  const to = values.to ?? config.databaseUrl;
  if (!to) throw new UsageError('the target is missing: give --to postgres://… (or set DATABASE_URL)');
  if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError('--to must be a postgres:// or postgresql:// URL');
  const file = path.join(from, SQLITE_FILE);
  if (!existsSync(file)) throw new UsageError(`there is no Finch database at ${file} (give --from DIR, the SQLite data directory)`);
  const where = redactUrl(to);

  let source: SqliteFileReport;
  try {
    source = inspectSqliteFile(file);
  } catch (error) {
    if (error instanceof NotAFinchDatabaseError) throw new UsageError(error.message);
    throw error;
  }
  const unknown = await unknownMigrations(source.migrations);
  if (unknown.length > 0) throw new UsageError(`${file} was written by a newer Finch (migrations ${unknown.join(', ')} unknown here); use that Finch version`);

  const client = new pg.Client({ connectionString: to, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options: '-c TimeZone=UTC' });
  // A connection the server drops emits 'error'; the query in progress fails with it instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // A space after the URL, not a colon: a redacted `?password=***` at its end would otherwise
    // take the colon with it when the error line is scrubbed of secrets (main.ts).
    throw new Error(`cannot connect to the target database ${where} (${(error as Error).message}); nothing was copied`);
  }
  try {
    // Refused before anything is written to the target, migrations included.
    const others = await foreignTables(client);
    if (others.length > 0)
      throw new UsageError(`the target database ${where} holds tables that are not Finch's (${others.slice(0, 5).join(', ')}); use an empty database`);
    const occupied = await occupiedTables(client);
    if (occupied.length > 0)
      throw new UsageError(`the target database ${where} already holds data (in ${occupied.join(', ')}); migrate into an empty database`);

    const known = await currentMigrations();
    if (source.migrations.length < known.length) {
      process.stdout.write(`Bringing ${file} to this Finch's schema (${known.at(-1)}), as finch start would...\n`);
      await migrateSqlite(file);
    }
    await migratePostgres(to);
    process.stdout.write(`Copying ${file} into ${where}...\n`);
    const started = Date.now();
    let counts: TableCount[];
    try {
      counts = await copySqliteToPostgres(file, client);
    } catch (error) {
      if (error instanceof TargetNotEmptyError || error instanceof SourceInUseError) throw new UsageError(error.message);
      throw new Error(`${(error as Error).message}; nothing was copied (the copy is one transaction)`, { cause: error });
    }
    // Fresh statistics for the planner after a bulk load.
    await client.query('analyze');
    const width = Math.max(...counts.map((count) => count.table.length));
    process.stdout.write(`${'table'.padEnd(width)}  ${'sqlite'.padStart(9)}  ${'postgres'.padStart(9)}\n`);
    for (const count of counts)
      process.stdout.write(`${count.table.padEnd(width)}  ${String(count.sqlite).padStart(9)}  ${String(count.postgres).padStart(9)}\n`);
    const total = counts.reduce((sum, count) => sum + count.postgres, 0);
    process.stdout.write(
      `Copied ${total} rows in ${counts.length} tables in ${((Date.now() - started) / 1000).toFixed(1)} s; every count matches.\n` +
        `Start Finch with DATABASE_URL set to the target; keep ${from} until you have checked it.\n`,
    );
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Finch's tables in the target that hold a row (those that exist; none before the first migration). */
async function occupiedTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = current_schema() and table_name = any($1)`,
    [[...TABLES_IN_DEPENDENCY_ORDER]],
  );
  const present = new Set(rows.map((row) => row.table_name));
  const occupied: string[] = [];
  for (const table of TABLES_IN_DEPENDENCY_ORDER.filter((name) => present.has(name))) {
    const result = await client.query(`select exists (select 1 from "${table}") as any`);
    if (result.rows[0].any) occupied.push(table);
  }
  return occupied;
}

async function migrateSqlite(file: string): Promise<void> {
  // Finch's SQLite dialect: its migrations run in one transaction under the write lock, as at start.
  const handle = new BetterSqlite3(file, { fileMustExist: true, timeout: 5_000 });
  const db = new Kysely<unknown>({ dialect: new AsyncBusySqliteDialect({ database: handle }, () => handle.inTransaction) });
  try {
    await migrateToLatest(db, 'sqlite');
  } finally {
    await db.destroy();
  }
}

/** The target's schema, by the same migrations and lock as `finch start` (no statement timeout). */
async function migratePostgres(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, options: '-c TimeZone=UTC' });
  pool.on('error', () => undefined);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await requireSupportedPostgres(db);
    await migrateToLatest(db, 'postgres');
  } finally {
    await db.destroy();
  }
}
