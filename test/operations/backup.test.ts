/**
 * `finch backup` and `finch restore` as an operator uses them: a backup of a live SQLite Finch
 * while a client writes through the API, restored into a new data directory that a new Finch
 * serves, every write acknowledged before the backup started present; and every refusal. On
 * PostgreSQL, the pg_dump and pg_restore commands `finch backup` prints, run as printed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { createDatabase } from '../support/postgres-server.js';
import { finchArgs, runFinch } from '../support/process.js';
import { startWithFin, type RunningFinch, tempDirs } from './support.js';

const tempDir = tempDirs(afterAll);

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Everything a refused command may leave: the directory's entries, with each file's hash. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((name) => [name, statSync(path.join(dir, name)).isFile() ? sha256(path.join(dir, name)) : 'dir']));
}

describe('finch backup on SQLite, while a client writes', () => {
  let dataDir: string;
  let finch: RunningFinch;
  let backupFile: string;
  let backupOutput: string;
  /** Writes the API acknowledged (201), in the order the acknowledgements arrived. */
  const acknowledged: { kind: 'conversation' | 'message'; id: string }[] = [];
  /** How many writes were acknowledged when the backup started: those it must hold. */
  let acknowledgedAtStart = 0;

  beforeAll(async () => {
    dataDir = tempDir('finch-backup-');
    backupFile = path.join(tempDir('finch-backup-out-'), 'finch-backup.db');
    finch = await startWithFin({ FINCH_DATA_DIR: dataDir });
    const user = (await finch.fin.call('create_user', { name: 'Load', email: 'load@example.com', object_id: 'load-user' })).payload as { id: string };

    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const created = await finch.fin.call('create_conversation', {
          user_id: user.id,
          object_id: `load-conv-${i}`,
          initial_message: { body: `Question ${i}`, author: { id: user.id, user_type: 'end_user' }, object_id: `load-first-${i}` },
        });
        if (created.status !== 201) throw new Error(`create_conversation answered ${created.status}`);
        const { conversation } = created.payload as { conversation: { id: string } };
        acknowledged.push({ kind: 'conversation', id: conversation.id });
        const message = await finch.fin.call('create_message', {
          conversation_id: conversation.id,
          body: `More about ${i}`,
          author: { id: user.id, user_type: 'end_user' },
          object_id: `load-more-${i}`,
        });
        if (message.status !== 201) throw new Error(`create_message answered ${message.status}`);
        acknowledged.push({ kind: 'message', id: (message.payload as { id: string }).id });
      }
    })();
    // Writes before, during and after the backup.
    while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    acknowledgedAtStart = acknowledged.length;
    const backup = await runFinch(['backup', '--out', backupFile], { FINCH_DATA_DIR: dataDir });
    backupOutput = backup.stdout;
    expect(backup.code, backup.stderr).toBe(0);
    const countAtEnd = acknowledged.length;
    while (acknowledged.length < countAtEnd + 40) await new Promise((resolve) => setTimeout(resolve, 20));
    writing = false;
    await writer;
  }, 120_000);
  afterAll(async () => {
    await finch?.server.stop();
  });

  it('writes one owner-only file and says what it holds', () => {
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(backupOutput).toMatch(
      new RegExp(`^Backed up ${path.join(dataDir, 'finch.db')} to ${backupFile}: \\d+ bytes, schema at migration 0014_sla, integrity ok\\.$`, 'm'),
    );
    expect(backupOutput).toMatch(/^\d+ rows: end_users \d+, agents 2, conversations \d+, messages \d+, /m);
    // No temporary file left beside it, no -wal: the backup is self-contained.
    expect(readdirSync(path.dirname(backupFile))).toEqual(['finch-backup.db']);
  });

  it('restores into a new data directory that passes the integrity check and holds every write acknowledged before the backup', async () => {
    const restoredDir = path.join(tempDir('finch-restored-'), 'data');
    const restored = await runFinch(['restore', backupFile], { FINCH_DATA_DIR: restoredDir });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^Restored .* into .*finch\.db: \d+ rows, schema at migration 0014_sla \(current\)\.$/m);
    expect(readdirSync(restoredDir)).toEqual(['finch.db']);
    expect(statSync(path.join(restoredDir, 'finch.db')).mode & 0o777).toBe(0o600);

    // By count, not by clock: a write acknowledged in the millisecond the backup started is before it.
    const before = acknowledged.slice(0, acknowledgedAtStart);
    const after = acknowledged.slice(acknowledgedAtStart);
    expect(before.length).toBeGreaterThanOrEqual(200);
    expect(after.length).toBeGreaterThanOrEqual(40);
    const db = new BetterSqlite3(path.join(restoredDir, 'finch.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const conversations = new Set((db.prepare('select id from conversations').all() as { id: string }[]).map((row) => row.id));
      const messages = new Set((db.prepare('select id from messages').all() as { id: string }[]).map((row) => row.id));
      const missing = before.filter((write) => !(write.kind === 'conversation' ? conversations : messages).has(write.id));
      expect(missing).toEqual([]);
      // The copy is one committed state: no message without its conversation's first message.
      const orphans = db
        .prepare('select count(*) as n from conversations c where not exists (select 1 from messages m where m.conversation_id = c.id)')
        .get() as { n: number };
      expect(orphans.n).toBe(0);
    } finally {
      db.close();
    }

    // A Finch started on it serves the data to the same Fin client (its credentials came along).
    const again = await startWithFin({ FINCH_DATA_DIR: restoredDir }, finch.client);
    try {
      const last = before.filter((write) => write.kind === 'conversation').at(-1)!;
      const conversation = await again.fin.call('get_conversation', { conversation_id: last.id });
      expect(conversation.status).toBe(200);
      const messages = await again.fin.call('get_messages', { conversation_id: last.id });
      expect((messages.payload as unknown[]).length).toBeGreaterThanOrEqual(1);
    } finally {
      await again.server.stop();
    }

    // And a second restore into that directory, which now holds a database, is refused untouched.
    const state = snapshot(restoredDir);
    const refused = await runFinch(['restore', backupFile], { FINCH_DATA_DIR: restoredDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^finch restore: .* already holds a database \(finch\.db\); .*nothing was changed$/),
    ]);
    expect(snapshot(restoredDir)).toEqual(state);
  });

  it('refuses to overwrite an existing --out (exit 2, one line, the file unchanged)', async () => {
    const hash = sha256(backupFile);
    const result = await runFinch(['backup', '--out', backupFile], { FINCH_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`finch backup: ${backupFile} already exists; a backup never overwrites a file (choose another --out)`]);
    expect(sha256(backupFile)).toBe(hash);
  });

  it('refuses without --out, and when there is no database to back up', async () => {
    expect((await runFinch(['backup'], { FINCH_DATA_DIR: dataDir })).code).toBe(2);
    const empty = tempDir('finch-empty-');
    const result = await runFinch(['backup', '--out', path.join(empty, 'b.db')], { FINCH_DATA_DIR: path.join(empty, 'none') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^finch backup: there is no Finch database at .*finch\.db/);
    // It created nothing: no empty database, no data directory.
    expect(readdirSync(empty)).toEqual([]);
  });

  it('names a directory as such: finch restore DIR, finch backup --out DIR (exit 2, one line)', async () => {
    const dir = tempDir('finch-dir-');
    const target = path.join(dir, 'data');
    const restored = await runFinch(['restore', dir], { FINCH_DATA_DIR: target });
    expect(restored.code).toBe(2);
    expect(restored.stderr.trim().split('\n')).toEqual([`finch restore: ${dir} is a directory, not a backup file (give the file finch backup wrote)`]);
    expect(existsSync(target)).toBe(false);
    const backedUp = await runFinch(['backup', '--out', dir], { FINCH_DATA_DIR: dataDir });
    expect(backedUp.code).toBe(2);
    expect(backedUp.stderr.trim().split('\n')).toEqual([
      `finch backup: ${dir} is a directory; --out names the backup file to write (e.g. ${path.join(dir, 'finch-backup.db')})`,
    ]);
  });

  it.skipIf(!existsSync('/proc/self'))('names the --out the file system refuses, not its temporary file', async () => {
    const result = await runFinch(['backup', '--out', '/proc/finch-backup.db'], { FINCH_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['finch backup: cannot create /proc/finch-backup.db there (the file system refuses new files)']);
  });

  it('says "permission denied" (not "no database", not a raw EACCES) when run as a user who cannot read the database or the backup', async () => {
    // Another user than the owner: `nobody` when the tests run as root, else the owner with the
    // permission removed (mode 000 stops everyone but root).
    const asOther = (args: string[], env: Record<string, string>) => {
      const run = spawnSync(process.execPath, finchArgs(args), {
        cwd: os.tmpdir(),
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
      });
      return { code: run.status, stderr: run.stderr };
    };
    const out = tempDir('finch-perm-out-');
    chmodSync(out, 0o777);
    // A data directory only its owner may enter, holding a database.
    const closedDir = tempDir('finch-perm-data-');
    copyFileSync(backupFile, path.join(closedDir, 'finch.db'));
    chmodSync(closedDir, 0o000);
    try {
      const backup = asOther(['backup', '--out', path.join(out, 'b.db')], { FINCH_DATA_DIR: closedDir });
      expect(backup.code).toBe(2);
      expect(backup.stderr.trim().split('\n')).toEqual([
        `finch backup: cannot read ${path.join(closedDir, 'finch.db')}: permission denied; run it as the user Finch runs as (the owner of FINCH_DATA_DIR)`,
      ]);
    } finally {
      chmodSync(closedDir, 0o700);
    }
    // A backup file only its owner may read.
    const closedFile = path.join(out, 'closed.db');
    copyFileSync(backupFile, closedFile);
    chmodSync(closedFile, 0o000);
    const target = path.join(out, 'data');
    const restore = asOther(['restore', closedFile], { FINCH_DATA_DIR: target });
    expect(restore.code).toBe(2);
    expect(restore.stderr.trim().split('\n')).toEqual([
      `finch restore: cannot read ${closedFile}: permission denied; run it as the user Finch runs as (the owner of FINCH_DATA_DIR)`,
    ]);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses what is not a Finch backup, a damaged one and a missing file, leaving the data directory without a database', async () => {
    const dir = tempDir('finch-bad-');
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n');
    const foreign = path.join(dir, 'other.db');
    const other = new BetterSqlite3(foreign);
    other.exec('create table t (x); insert into t values (1)');
    other.close();
    const damaged = path.join(dir, 'damaged.db');
    const bytes = readFileSync(backupFile);
    // Overwrite pages in the middle (not the header): SQLite's integrity check finds it.
    bytes.fill(0x5a, 8192, Math.min(bytes.length - 4096, 8192 + 65536));
    writeFileSync(damaged, bytes);

    const cases: [string, RegExp][] = [
      [text, /^finch restore: not a Finch backup: .* is not a SQLite database/],
      [foreign, /^finch restore: not a Finch backup: .* is a SQLite database but not Finch's/],
      [damaged, /^finch restore: not a Finch backup: .* (fails SQLite's integrity check|cannot be read as a SQLite database)/],
      [path.join(dir, 'missing.db'), /^finch restore: .*missing\.db does not exist$/],
    ];
    for (const [file, message] of cases) {
      const target = path.join(dir, `restore-${path.basename(file)}`);
      const result = await runFinch(['restore', file], { FINCH_DATA_DIR: target });
      expect(result.code, file).toBe(2);
      expect(result.stderr.trim().split('\n'), file).toEqual([expect.stringMatching(message)]);
      expect(existsSync(path.join(target, 'finch.db')), file).toBe(false);
    }
  });

  it('removes what a crashed restore left (a temporary copy, never a database) and restores', async () => {
    const target = path.join(tempDir('finch-crashed-'), 'data');
    mkdirSync(target, { recursive: true });
    // What a restore killed half-way leaves: its partial copy under a temporary name, no finch.db.
    writeFileSync(path.join(target, '.finch.db.restoring-99999'), readFileSync(backupFile).subarray(0, 4096));
    const result = await runFinch(['restore', backupFile], { FINCH_DATA_DIR: target });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(target)).toEqual(['finch.db']);
    const count = (file: string) => {
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        return db.prepare('select (select count(*) from conversations) as c, (select count(*) from messages) as m').get();
      } finally {
        db.close();
      }
    };
    expect(count(path.join(target, 'finch.db'))).toEqual(count(backupFile));
  });

  it('restores a backup from an older Finch (migrated on the next start) and refuses one from a newer Finch', async () => {
    const dir = tempDir('finch-versions-');
    const older = path.join(dir, 'older.db');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(older) }) });
    await migrateToLatest(db, 'sqlite', '0010_presence');
    await db.destroy();
    const olderDir = path.join(dir, 'older-data');
    const restored = await runFinch(['restore', older], { FINCH_DATA_DIR: olderDir });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/schema at migration 0010_presence; the next start applies 4 newer migrations \(up to 0014_sla\)\./);
    const started = await startWithFin({ FINCH_DATA_DIR: olderDir });
    await started.server.stop();
    const check = new BetterSqlite3(path.join(olderDir, 'finch.db'), { readonly: true });
    expect((check.prepare('select name from finch_migrations order by name desc limit 1').get() as { name: string }).name).toBe('0014_sla');
    check.close();

    const newer = path.join(dir, 'newer.db');
    copyFileSync(backupFile, newer);
    const edit = new BetterSqlite3(newer);
    edit.prepare('insert into finch_migrations (name, timestamp) values (?, ?)').run('0099_from_the_future', new Date().toISOString());
    edit.close();
    const newerDir = path.join(dir, 'newer-data');
    const refused = await runFinch(['restore', newer], { FINCH_DATA_DIR: newerDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^finch restore: .* was written by a newer Finch \(migrations 0099_from_the_future are unknown here\)/),
    ]);
    expect(existsSync(path.join(newerDir, 'finch.db'))).toBe(false);
  });
});

/** pg_dump and pg_restore from the machine (PostgreSQL's own packages; the npm server has none). */
function postgresClientBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(path.join(root, version, 'bin', 'pg_dump'))) return path.join(root, version, 'bin');
  const which = spawnSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : undefined;
}

describe.skipIf(!inject('postgresUrl'))('finch backup on PostgreSQL', () => {
  it('writes nothing, prints the pg_dump and pg_restore commands and exits 3; the commands, run as printed, move the data', async () => {
    const source = await createDatabase(inject('postgresUrl')!, 'finch_backup');
    const dataDir = tempDir('finch-pg-backup-');
    const finch = await startWithFin({ FINCH_DATA_DIR: dataDir, DATABASE_URL: source });
    let conversationId: string;
    try {
      const user = (await finch.fin.call('create_user', { name: 'Pat', object_id: 'pat' })).payload as { id: string };
      const created = await finch.fin.call('create_conversation', {
        user_id: user.id,
        initial_message: { body: 'Hello from PostgreSQL', author: { id: user.id, user_type: 'end_user' } },
      });
      conversationId = (created.payload as { conversation: { id: string } }).conversation.id;
    } finally {
      await finch.server.stop();
    }

    const out = path.join(tempDir('finch-pg-dump-'), 'finch.dump');
    const result = await runFinch(['backup', '--out', out], { FINCH_DATA_DIR: dataDir, DATABASE_URL: source });
    expect(result.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(result.stderr).toMatch(/^finch backup: the database is PostgreSQL \(postgres:\/\/.*\): nothing written; back it up with pg_dump:$/m);
    const commands = result.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(commands).toEqual([
      `(umask 077 && pg_dump --format=custom --no-owner --no-privileges --file=${out} "$DATABASE_URL")`,
      `pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$NEW_DATABASE_URL" ${out}`,
    ]);

    const bin = postgresClientBin();
    if (!bin) {
      console.warn('pg_dump is not installed here: the printed commands were checked but not run');
      return;
    }
    const serverMajor = await (async () => {
      const client = new pg.Client({ connectionString: source });
      await client.connect();
      try {
        return Math.floor(Number((await client.query('show server_version_num')).rows[0].server_version_num) / 10_000);
      } finally {
        await client.end();
      }
    })();
    const dumpMajor = Number(/(\d+)/.exec(spawnSync(path.join(bin, 'pg_dump'), ['--version'], { encoding: 'utf8' }).stdout)?.[1]);
    if (dumpMajor < serverMajor) {
      console.warn(`pg_dump ${dumpMajor} cannot dump a PostgreSQL ${serverMajor} server: the printed commands were checked but not run`);
      return;
    }
    const target = await createDatabase(inject('postgresUrl')!, 'finch_restored');
    const shellEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, DATABASE_URL: source, NEW_DATABASE_URL: target };
    for (const command of commands) {
      // Under the usual umask, which would leave a plain pg_dump's file world-readable.
      const run = spawnSync('sh', ['-c', `umask 022; ${command}`], { env: shellEnv, encoding: 'utf8' });
      expect(run.status, `${command}\n${run.stderr}`).toBe(0);
    }
    // Owner-only, like a SQLite backup: it holds password hashes, the webhook key, every conversation.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const restored = await startWithFin({ FINCH_DATA_DIR: tempDir('finch-pg-restored-'), DATABASE_URL: target }, finch.client);
    try {
      const conversation = await restored.fin.call('get_conversation', { conversation_id: conversationId });
      expect(conversation.status).toBe(200);
      const messages = (await restored.fin.call('get_messages', { conversation_id: conversationId })).payload as { body: string }[];
      expect(messages.map((message) => message.body)).toEqual([expect.stringContaining('Hello from PostgreSQL')]);
    } finally {
      await restored.server.stop();
    }
  }, 120_000);

  it('says what to change in a DATABASE_URL that pg_dump refuses (?ssl=false, sslmode=no-verify), and the changed URL works', async () => {
    const source = await createDatabase(inject('postgresUrl')!, 'finch_backup_ssl');
    const cases: [string, string, string][] = [
      ['ssl=false', 'ssl=false → sslmode=disable', 'sslmode=disable'],
      ['sslmode=no-verify', 'sslmode=no-verify → sslmode=require', 'sslmode=require'],
    ];
    const bin = postgresClientBin();
    for (const [given, change, fixed] of cases) {
      const out = path.join(tempDir('finch-pg-ssl-'), 'finch.dump');
      const result = await runFinch(['backup', '--out', out], { FINCH_DATA_DIR: tempDir('finch-pg-ssl-data-'), DATABASE_URL: `${source}?${given}` });
      expect(result.code).toBe(3);
      const note = result.stdout.split('\n').filter((line) => line.startsWith('# pg_dump and pg_restore refuse'));
      expect(note, result.stdout).toEqual([expect.stringContaining(change)]);
      // Never the URL itself (it may hold a password).
      expect(result.stdout).not.toContain(source);
      if (!bin || given === 'sslmode=no-verify') continue; // require needs a server with TLS; the test server has none
      const dump = result.stdout.split('\n').find((line) => line.startsWith('(umask 077 && pg_dump '))!;
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
      const refused = spawnSync('sh', ['-c', dump], { env: { ...env, DATABASE_URL: `${source}?${given}` }, encoding: 'utf8' });
      expect(refused.status, refused.stderr).not.toBe(0);
      const changed = spawnSync('sh', ['-c', dump], { env: { ...env, DATABASE_URL: `${source}?${fixed}` }, encoding: 'utf8' });
      if (/server version|aborting because of server version mismatch/.test(changed.stderr)) continue;
      expect(changed.status, changed.stderr).toBe(0);
    }
  });

  it('finch restore on PostgreSQL restores nothing and prints the pg_restore command (exit 3)', async () => {
    const url = await createDatabase(inject('postgresUrl')!, 'finch_norestore');
    const file = path.join(tempDir('finch-pg-file-'), 'finch.dump');
    writeFileSync(file, 'x');
    const result = await runFinch(['restore', file], { FINCH_DATA_DIR: tempDir('finch-pg-nr-'), DATABASE_URL: url });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$DATABASE_URL" ${file}`);
  });
});
