/**
 * `finch restore FILE`: puts a backup made by `finch backup` in place as the data directory's
 * database. Only into a data directory without one: it never replaces a database. The file is
 * checked first (a SQLite file, integrity check, Finch's migration table, no migration this Finch
 * does not know), copied under a temporary name, checked again, and only then linked to
 * `finch.db`: a crash or a bad file leaves no database behind, only a temporary file that the
 * next restore removes.
 */
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import {
  backupSqlite,
  currentMigrations,
  inspectSqliteFile,
  NotAFinchDatabaseError,
  SQLITE_FILE,
  type SqliteFileReport,
  unknownMigrations,
} from '../store/sql/copy-database.js';
import { redactUrl } from '../store/sql/database.js';
import { fileError, libpqNote, POSTGRES_NOT_BACKED_UP, readable, shellQuote, statOrMissing, syncDirectory } from './backup.js';
import { UsageError } from './usage.js';

const PARTIAL_PREFIX = `.${SQLITE_FILE}.restoring-`;

export async function restoreCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('usage: finch restore FILE (a backup written by finch backup)');
  const file = path.resolve(positionals[0]!);
  const config = loadConfig();
  if (config.databaseUrl) {
    process.stderr.write(`finch restore: the database is PostgreSQL (${redactUrl(config.databaseUrl)}): nothing restored; restore a pg_dump file with:\n`);
    const note = libpqNote(config.databaseUrl);
    process.stdout.write(
      (note ? `${note}\n` : '') +
        `pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$DATABASE_URL" ${shellQuote(file)}\n` +
        '# into an empty database; a database that holds data is not a restore target.\n',
    );
    return POSTGRES_NOT_BACKED_UP;
  }
  const found = statOrMissing(file, 'read');
  if (!found) throw new UsageError(`${file} does not exist`);
  if (found.isDirectory()) throw new UsageError(`${file} is a directory, not a backup file (give the file finch backup wrote)`);
  readable(file);
  const dataDir = config.dataDir;
  const target = path.join(dataDir, SQLITE_FILE);
  const present = [SQLITE_FILE, `${SQLITE_FILE}-wal`].filter((name) => existsSync(path.join(dataDir, name)));
  if (present.length > 0) {
    throw new UsageError(
      `${dataDir} already holds a database (${present.join(', ')}); restore into an empty data directory (FINCH_DATA_DIR), nothing was changed`,
    );
  }

  let report: SqliteFileReport;
  try {
    report = inspectSqliteFile(file);
  } catch (error) {
    if (error instanceof NotAFinchDatabaseError) throw new UsageError(`not a Finch backup: ${error.message}`);
    throw error;
  }
  const unknown = await unknownMigrations(report.migrations);
  if (unknown.length > 0) {
    throw new UsageError(
      `${file} was written by a newer Finch (migrations ${unknown.join(', ')} are unknown here): restore it with that Finch version or newer`,
    );
  }

  const partial = path.join(dataDir, `${PARTIAL_PREFIX}${process.pid}`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Leftovers of a restore that crashed: never a database, only an unfinished copy.
    for (const name of readdirSync(dataDir)) if (name.startsWith(PARTIAL_PREFIX)) rmSync(path.join(dataDir, name), { force: true });
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (error) {
    throw fileError(error, dataDir, 'write') ?? error;
  }
  try {
    await backupSqlite(file, partial, { readonly: true });
    const copied = inspectSqliteFile(partial);
    if (JSON.stringify(copied.rows) !== JSON.stringify(report.rows)) throw new Error(`the copy of ${file} does not hold the same rows; nothing restored`);
    try {
      linkSync(partial, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${target} appeared while restoring; nothing was changed`);
      throw error;
    }
    syncDirectory(dataDir);
  } finally {
    rmSync(partial, { force: true });
  }

  const known = await currentMigrations();
  const level = report.migrations.at(-1) ?? 'none';
  const pending = known.length - report.migrations.length;
  const total = Object.values(report.rows).reduce((sum, n) => sum + n, 0);
  process.stdout.write(
    `Restored ${file} into ${target}: ${total} rows, schema at migration ${level}` +
      (pending > 0 ? `; the next start applies ${pending} newer migration${pending === 1 ? '' : 's'} (up to ${known.at(-1)}).\n` : ' (current).\n'),
  );
  return 0;
}
