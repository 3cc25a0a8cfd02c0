/**
 * `finch backup --out FILE`: a consistent copy of a live SQLite database, taken through SQLite's
 * online backup API while servers keep writing (WAL). The copy is one SQLite file holding
 * everything Finch keeps (store/sql/copy-database.ts says why nothing else in the data directory
 * needs keeping). On PostgreSQL it writes nothing: it prints the `pg_dump` and `pg_restore`
 * commands to use and exits with status 3, so a script never mistakes it for a backup made.
 */
import { accessSync, closeSync, constants, linkSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { backupSqlite, currentMigrations, inspectSqliteFile, SQLITE_FILE, syncFile } from '../store/sql/copy-database.js';
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
    process.stdout.write(`${postgresBackupCommands(out, config.databaseUrl)}\n`);
    return POSTGRES_NOT_BACKED_UP;
  }
  const existing = statOrMissing(out, 'write');
  if (existing?.isDirectory()) throw new UsageError(`${out} is a directory; --out names the backup file to write (e.g. ${path.join(out, 'finch-backup.db')})`);
  if (existing) throw new UsageError(`${out} already exists; a backup never overwrites a file (choose another --out)`);
  if (!statOrMissing(path.dirname(out), 'write')) throw new UsageError(`the directory ${path.dirname(out)} does not exist`);
  const source = path.join(config.dataDir, SQLITE_FILE);
  if (!statOrMissing(source, 'read')) throw new UsageError(`there is no Finch database at ${source} (set FINCH_DATA_DIR to the data directory)`);
  readable(source);

  // Written beside FILE under a temporary name, then linked to FILE: FILE appears whole or not at
  // all, and link() fails rather than replace a FILE created meanwhile. Owner-only: it holds
  // password hashes, the webhook key and every conversation.
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial-${process.pid}`);
  try {
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (error) {
    // Named by the user's path, not the temporary one.
    throw fileError(error, out, 'write') ?? error;
  }
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
 * --no-privileges make the dump restorable under another role. `umask 077` in a subshell makes the
 * dump owner-only (0600) like a SQLite backup: it holds password hashes, the webhook key and every
 * conversation, and pg_dump otherwise creates it world-readable under the usual umask 022.
 * `databaseUrl` is read (never printed) for parameters only node-postgres knows (libpqNote).
 */
export function postgresBackupCommands(out: string, databaseUrl?: string): string {
  const file = shellQuote(out);
  const note = databaseUrl ? libpqNote(databaseUrl) : undefined;
  return [
    '# Back up (a consistent snapshot; servers keep running; the file readable by its owner only):',
    ...(note ? [note] : []),
    `(umask 077 && pg_dump --format=custom --no-owner --no-privileges --file=${file} "$DATABASE_URL")`,
    '# Restore into a new, empty database (then point DATABASE_URL at it and start Finch):',
    `pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$NEW_DATABASE_URL" ${file}`,
  ].join('\n');
}

/** libpq's connection parameters (PostgreSQL 18 docs, "Parameter Key Words"): what pg_dump and pg_restore accept in a URL. */
const LIBPQ_PARAMETERS = new Set(
  (
    'host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout client_encoding options ' +
    'application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count ' +
    'tcp_user_timeout replication gssencmode sslmode requiressl sslnegotiation sslcompression sslcert sslkey sslkeylogfile ' +
    'sslpassword sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version ' +
    'min_protocol_version max_protocol_version krbsrvname gsslib gssdelegation service target_session_attrs load_balance_hosts ' +
    'scram_client_key scram_server_key oauth_issuer oauth_client_id oauth_client_secret oauth_scope'
  ).split(' '),
);
const LIBPQ_SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/**
 * A `#` line saying what to change in the URL for pg_dump/pg_restore, or undefined when libpq
 * takes it as it is. Finch connects through node-postgres, which also accepts `ssl=true|false`
 * and `sslmode=no-verify`; libpq refuses both ("invalid URI query parameter", "invalid sslmode
 * value"). Only parameter names and those values are printed, never the URL.
 */
export function libpqNote(databaseUrl: string): string | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(databaseUrl).searchParams;
  } catch {
    return undefined;
  }
  const changes: string[] = [];
  for (const [name, value] of params) {
    if (name === 'ssl') {
      const off = ['false', '0', 'no', 'off'].includes(value.toLowerCase());
      changes.push(`ssl=${value} → sslmode=${off ? 'disable' : 'require'}`);
    } else if (name === 'sslmode' && !LIBPQ_SSLMODES.has(value)) {
      changes.push(`sslmode=${value} → sslmode=${value === 'no-verify' ? 'require' : 'prefer'}`);
    } else if (!LIBPQ_PARAMETERS.has(name)) {
      changes.push(`remove ${name}=…`);
    }
  }
  if (changes.length === 0) return undefined;
  return `# pg_dump and pg_restore refuse parameters of this DATABASE_URL that only Finch's driver knows: give them the same URL with ${changes.join(', ')}.`;
}

/**
 * A file system error as one line naming `file` and what to do, or undefined for an error that is
 * not about access (left to surface as it is). Permission errors are the caller's setup (exit 2):
 * typically `finch backup` run as another user than the one Finch runs as (root in a container
 * whose Finch runs as `finch`, or the reverse).
 */
export function fileError(error: unknown, file: string, doing: 'read' | 'write'): Error | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const as = 'run it as the user Finch runs as (the owner of FINCH_DATA_DIR)';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new UsageError(
        `cannot ${doing} ${file}: permission denied; ${doing === 'read' ? as : 'choose a place this user may write, or run it as a user who may'}`,
      );
    case 'EISDIR':
      return new UsageError(`${file} is a directory, not a file`);
    case 'ENOTDIR':
      return new UsageError(`${file}: a part of the path is not a directory`);
    case 'ENOENT':
      return new UsageError(doing === 'read' ? `${file} does not exist` : `cannot create ${file} there (the file system refuses new files)`);
    case 'EROFS':
      return new UsageError(`cannot ${doing} ${file}: the file system is read-only`);
    case 'ENOSPC':
      return new Error(`cannot write ${file}: no space left on the device; nothing kept`);
    default:
      return undefined;
  }
}

/** `file`'s status, or undefined when it does not exist; an unreadable path is a UsageError, not "missing". */
export function statOrMissing(file: string, doing: 'read' | 'write'): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, file, doing) ?? error;
  }
}

/** Throws a UsageError unless this process may read `file` (a file of mode 0600 owned by another user). */
export function readable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw fileError(error, file, 'read') ?? error;
  }
}

/** `value` as one shell word. */
export function shellQuote(value: string): string {
  return /^[\w./:=@%+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Makes a new directory entry (the linked backup, the restored database) survive a power cut. */
export function syncDirectory(dir: string): void {
  syncFile(dir, 'r');
}
