/**
 * `finch backup --out FILE`: a consistent copy of a live SQLite database, taken through SQLite's
 * online backup API while servers keep writing (WAL). The copy is one SQLite file holding
 * everything Finch keeps (store/sql/copy-database.ts says why nothing else in the data directory
 * needs keeping). On PostgreSQL it writes nothing: it prints the `pg_dump` and `pg_restore`
 * commands to use and exits with status 3, so a script never mistakes it for a backup made.
 */
import { existsSync, linkSync, openSync, closeSync, rmSync, statSync, fsyncSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { backupSqlite, currentMigrations, inspectSqliteFile, SQLITE_FILE } from '../store/sql/copy-database.js';
import { redactUrl } from '../store/sql/database.js';
import { UsageError } from './usage.js';

/** Exit status when nothing was written because the database is PostgreSQL (docs/operations.md). */
export const POSTGRES_NOT_BACKED_UP = 3;

export async function backupCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  if (!values.out) throw new UsageError('--out FILE is required (the backup file to write; it must not exist)');
  const out = path.resolve(values.out);
  const config = loadConfig();
  if (config.databaseUrl) {
    process.stderr.write(`finch backup: the database is PostgreSQL (${redactUrl(config.databaseUrl)}): nothing written; back it up with pg_dump:\n`);
    process.stdout.write(`${postgresBackupCommands(out)}\n`);
    return POSTGRES_NOT_BACKED_UP;
  }
  if (existsSync(out)) throw new UsageError(`${out} already exists; a backup never overwrites a file (choose another --out)`);
  if (!existsSync(path.dirname(out))) throw new UsageError(`the directory ${path.dirname(out)} does not exist`);
  const source = path.join(config.dataDir, SQLITE_FILE);
  if (!existsSync(source)) throw new UsageError(`there is no Finch database at ${source} (set FINCH_DATA_DIR to the data directory)`);

  // Written beside FILE under a temporary name, then linked to FILE: FILE appears whole or not at
  // all, and link() fails rather than replace a FILE created meanwhile. Owner-only: it holds
  // password hashes, the webhook key and every conversation.
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial-${process.pid}`);
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    await backupSqlite(source, partial);
    const report = inspectSqliteFile(partial);
    try {
      linkSync(partial, out);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} appeared while the backup was being written; not overwritten`);
      throw error;
    }
    syncDirectory(path.dirname(out));
    const latest = (await currentMigrations()).at(-1);
    const level = report.migrations.at(-1) ?? 'none';
    const total = Object.values(report.rows).reduce((sum, n) => sum + n, 0);
    process.stdout.write(
      `Backed up ${source} to ${out}: ${statSync(out).size} bytes, schema at migration ${level}${level === latest ? '' : ` (this Finch's latest: ${latest})`}, integrity ok.\n` +
        `${total} rows: ${Object.entries(report.rows)
          .map(([table, n]) => `${table} ${n}`)
          .join(', ')}\n`,
    );
    return 0;
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * What to run on PostgreSQL, with the URL left in the environment (never printed: it may hold a
 * password). The custom format is compressed and lets pg_restore pick and reorder; --no-owner and
 * --no-privileges make the dump restorable under another role.
 */
export function postgresBackupCommands(out: string): string {
  const file = shellQuote(out);
  return [
    '# Back up (a consistent snapshot; servers keep running):',
    `pg_dump --format=custom --no-owner --no-privileges --file=${file} "$DATABASE_URL"`,
    '# Restore into a new, empty database (then point DATABASE_URL at it and start Finch):',
    `pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$NEW_DATABASE_URL" ${file}`,
  ].join('\n');
}

/** `value` as one shell word. */
export function shellQuote(value: string): string {
  return /^[\w./:=@%+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Makes a new directory entry (the linked backup, the restored database) survive a power cut. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
