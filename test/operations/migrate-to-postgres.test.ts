/**
 * `finch migrate-to-postgres`: a SQLite Finch used through its real APIs (Fin's and the agent
 * API: agents, conversations, messages, attachments, the outbox and its deliveries, activity,
 * settings, tokens, sessions) is copied into PostgreSQL; every row of every table compares equal
 * across the two dialects, and `finch start` on the target serves the same data to the same
 * credentials. And the refusals: a target that holds data or other tables, an unreachable target,
 * a row PostgreSQL cannot hold (nothing copied: one transaction).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TABLES_IN_DEPENDENCY_ORDER } from '../../src/store/sql/copy-database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { createDatabase } from '../support/postgres-server.js';
import { runFinch } from '../support/process.js';
import { startWithFin, signInFirstAdmin, type RunningFinch, tempDirs } from './support.js';

const tempDir = tempDirs(afterAll);

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function postgresCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of TABLES_IN_DEPENDENCY_ORDER) {
      const exists = (await client.query('select to_regclass($1) as t', [table])).rows[0].t;
      counts[table] = exists ? Number((await client.query(`select count(*) as n from "${table}"`)).rows[0].n) : -1;
    }
    return counts;
  });
}

/** Every row of `table`, each value in one comparable form whatever the dialect, sorted. */
function normalizeRows(rows: Record<string, unknown>[], types: Map<string, string>): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((column) => [column, normalizeValue(row[column], types.get(column) ?? 'text')]),
      ),
    )
    .sort();
}

function normalizeValue(value: unknown, type: string): unknown {
  if (value === null) return null;
  switch (type) {
    case 'boolean':
      return value === true || value === 1;
    case 'jsonb':
      // jsonb keeps the value, not the text: keys come back in its own order (as on any PostgreSQL Finch).
      return canonical(typeof value === 'string' ? JSON.parse(value) : value);
    case 'timestamp with time zone':
      return new Date(value as string | Date).toISOString();
    case 'bytea':
      return (value as Buffer).toString('hex');
    case 'bigint':
    case 'integer':
      return Number(value);
    default:
      return value;
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

describe.skipIf(!inject('postgresUrl'))('finch migrate-to-postgres', () => {
  let dataDir: string;
  let target: string;
  let migrated: { code: number | null; stdout: string; stderr: string };
  let fin: RunningFinch;
  const conversationIds: string[] = [];
  /** The uploaded file's signed URL (FINCH_PUBLIC_URL's origin). */
  let attachmentUrl: string;
  const receiver = new FinReceiver();

  beforeAll(async () => {
    await receiver.start();
    dataDir = tempDir('finch-to-pg-');
    // An https:// public URL (attachments need one; its port is replaced by the one listened on).
    fin = await startWithFin({ FINCH_DATA_DIR: dataDir, FINCH_PUBLIC_URL: 'https://127.0.0.1:0' });
    const base = fin.base;
    try {
      const admin = await signInFirstAdmin(base, dataDir);
      expect((await admin.put('/settings/fin', { integration_id: 'int_1', webhook_key: 'a webhook key', base_url: receiver.baseUrl })).status).toBe(200);
      const bea = await admin.post('/agents', { name: 'Bea Agent', email: 'bea@example.com', password: 'velvet arcade pinecone 93' });
      expect(bea.status).toBe(201);
      expect((await admin.post('/tokens', { name: 'script' })).status).toBe(201);
      expect((await admin.post('/canned-replies', { shortcut: 'refund', title: 'Refunds', body: 'Refunds take 5 days.' })).status).toBe(201);

      const user = (
        await fin.fin.call('create_user', { name: 'Zoë Ünicode', email: 'zoe@example.com', object_id: 'zoe', attributes: { plan: 'pro', seats: 3 } })
      ).payload as { id: string };
      for (let i = 0; i < 3; i++) {
        const created = await fin.fin.call('create_conversation', {
          user_id: user.id,
          object_id: `conv-${i}`,
          initial_message: { body: `<p>Kühlschrank number ${i} is broken</p>`, author: { id: user.id, user_type: 'end_user' } },
        });
        expect(created.status).toBe(201);
        conversationIds.push((created.payload as { conversation: { id: string } }).conversation.id);
      }
      const [first, second] = conversationIds as [string, string];
      expect((await fin.fin.call('update_conversation', { conversation_id: first, title: 'Fridge trouble', tags: ['fridge', 'urgent'] })).status).toBe(200);
      expect(
        (await fin.fin.call('create_message', { conversation_id: first, body: 'Still broken', author: { id: user.id, user_type: 'end_user' } })).status,
      ).toBe(201);

      // An attachment (bytes in the files table), a reply that carries it, a private note, a status change.
      const upload = await fetch(`${base}/api/v1/attachments?filename=manual.bin`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...admin.authHeaders(), 'x-csrf-token': admin.csrfToken! },
        body: Buffer.from([0, 1, 2, 254, 255, 0, 42]),
      });
      expect(upload.status).toBe(201);
      const { url } = (await upload.json()) as { url: string };
      attachmentUrl = url;
      expect((await admin.post(`/conversations/${first}/takeover`)).status).toBe(200);
      expect(
        (await admin.post(`/conversations/${first}/messages`, { body: 'Here is the manual', attachments: [{ url, filename: 'manual.bin' }] })).status,
      ).toBe(201);
      expect((await admin.post(`/conversations/${second}/messages`, { body: 'Checking with the team', visibility: 'private' })).status).toBe(201);
      expect((await admin.patch(`/conversations/${first}`, { status: 'resolved', tags: ['fridge'] })).status).toBe(200);
      // The outbox delivers to the receiver: webhook_deliveries get rows.
      await receiver.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await fin.server.stop();
    }

    target = await createDatabase(inject('postgresUrl')!, 'finch_migrated');
    migrated = await runFinch(['migrate-to-postgres', '--to', target], { FINCH_DATA_DIR: dataDir });
  }, 120_000);
  afterAll(async () => {
    await receiver.stop();
  });

  it('copies every table, prints the row counts of both sides, and they match', async () => {
    expect(migrated.code, migrated.stderr).toBe(0);
    const sqlite = new BetterSqlite3(path.join(dataDir, 'finch.db'), { readonly: true });
    try {
      for (const table of TABLES_IN_DEPENDENCY_ORDER) {
        const n = (sqlite.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
        expect(migrated.stdout, table).toMatch(new RegExp(`^${table}\\s+${n}\\s+${n}$`, 'm'));
      }
    } finally {
      sqlite.close();
    }
    expect(migrated.stdout).toMatch(/^Copied \d+ rows in 18 tables in [\d.]+ s; every count matches\.$/m);
    const counts = await postgresCounts(target);
    // The API use above reached all these tables (agent_connections needs an open inbox stream,
    // notifications an agent who asked for them: empty here, still copied and compared).
    const filled = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([table]) => table);
    expect(filled).toEqual(expect.arrayContaining(TABLES_IN_DEPENDENCY_ORDER.filter((t) => t !== 'agent_connections' && t !== 'notifications')));
  });

  it('gives the same data on PostgreSQL: every row of every table equal, value by value (flags, JSON, timestamps, bytes)', async () => {
    const sqlite = new BetterSqlite3(path.join(dataDir, 'finch.db'), { readonly: true });
    try {
      await withClient(target, async (client) => {
        for (const table of TABLES_IN_DEPENDENCY_ORDER) {
          const { rows: columns } = await client.query(
            'select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1',
            [table],
          );
          const types = new Map<string, string>(columns.map((column) => [column.column_name, column.data_type]));
          const fromSqlite = normalizeRows(sqlite.prepare(`select * from "${table}"`).all() as Record<string, unknown>[], types);
          const fromPostgres = normalizeRows((await client.query(`select * from "${table}"`)).rows, types);
          expect(fromPostgres, table).toEqual(fromSqlite);
        }
      });
      // Every data table of a Finch SQLite database is in the list copied (nothing silently left out).
      const tables = (sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[])
        .map((row) => row.name)
        .filter((name) => !/^(sqlite_|finch_migrations)|_fts/.test(name));
      expect(tables.sort()).toEqual([...TABLES_IN_DEPENDENCY_ORDER].sort());
    } finally {
      sqlite.close();
    }
  });

  it('is served by finch start on the target: the same Fin client, the same admin password, search and the attachment', async () => {
    const onPostgres = await startWithFin({ FINCH_DATA_DIR: tempDir('finch-on-pg-'), DATABASE_URL: target }, fin.client);
    try {
      expect(onPostgres.server.output()).toContain('postgres://');
      const conversation = await onPostgres.fin.call('get_conversation', { conversation_id: conversationIds[0] });
      expect(conversation.status).toBe(200);
      expect(conversation.payload).toMatchObject({ title: 'Fridge trouble', status: 'resolved', tags: ['fridge'] });
      const messages = (await onPostgres.fin.call('get_messages', { conversation_id: conversationIds[0] })).payload as { body: string }[];
      expect(messages.map((message) => message.body)).toEqual([
        expect.stringContaining('Kühlschrank number 0'),
        expect.stringContaining('Still broken'),
        expect.stringContaining('Here is the manual'),
      ]);
      // The first admin's password (a hash copied as it was) signs in; search uses the copied words.
      const admin = await signInFirstAdmin(onPostgres.server.baseUrl, dataDir);
      const found = await admin.get('/conversations?q=kuhlschrank&status=open');
      expect(found.status).toBe(200);
      expect((found.body as { conversations: { id: string }[] }).conversations.map((c) => c.id).sort()).toEqual(conversationIds.slice(1).sort());
      // The file's bytes, behind the link signed on SQLite (the file-signing key came along).
      const link = new URL(attachmentUrl);
      const file = await fetch(`${onPostgres.base}${link.pathname}${link.search}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 254, 255, 0, 42]));
    } finally {
      await onPostgres.server.stop();
    }
  }, 60_000);

  it('refuses a target that already holds data (exit 2), changing nothing', async () => {
    const before = await postgresCounts(target);
    const again = await runFinch(['migrate-to-postgres', '--from', dataDir], { DATABASE_URL: target });
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^finch migrate-to-postgres: the target database postgres:\/\/.* already holds data \(in end_users, agents, .*\); migrate into an empty database$/,
      ),
    ]);
    expect(await postgresCounts(target)).toEqual(before);
  });

  it('refuses a source another process has open, as a running Finch does (exit 2), copying nothing', async () => {
    const running = new BetterSqlite3(path.join(dataDir, 'finch.db'));
    try {
      running.prepare('select count(*) from agents').get();
      const empty = await createDatabase(inject('postgresUrl')!, 'finch_source_in_use');
      const result = await runFinch(['migrate-to-postgres', '--from', dataDir, '--to', empty], {});
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /another process has .*finch\.db open \(a running Finch\?\): stop every Finch process on it, then migrate; nothing was copied/,
      );
      expect(Object.values(await postgresCounts(empty)).every((n) => n <= 0)).toBe(true);
    } finally {
      running.close();
    }
  }, 60_000);

  it("refuses a target holding tables that are not Finch's (exit 2), before migrating it", async () => {
    const other = await createDatabase(inject('postgresUrl')!, 'finch_foreign');
    await withClient(other, (client) => client.query('create table invoices (id int primary key)'));
    const result = await runFinch(['migrate-to-postgres', '--from', dataDir, '--to', other], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds tables that are not Finch's \(invoices\); use an empty database/);
    expect(Object.values(await postgresCounts(other)).every((n) => n === -1)).toBe(true);
  });

  it('says clearly when the target cannot be reached (exit 1), without the password', async () => {
    const started = Date.now();
    const result = await runFinch(['migrate-to-postgres', '--from', dataDir, '--to', 'postgres://finch:s3cret-pw@127.0.0.1:1/finch'], {});
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^finch migrate-to-postgres: cannot connect to the target database postgres:\/\/finch:(\*\*\*|\[redacted\])@127\.0\.0\.1:1\/finch \(.*ECONNREFUSED.*\); nothing was copied$/,
      ),
    ]);
    expect(result.stderr).not.toContain('s3cret-pw');
    // Secrets in the query: censored, and the sentence around them intact.
    const inQuery = await runFinch(
      ['migrate-to-postgres', '--from', dataDir, '--to', 'postgres://finch@127.0.0.1:1/finch?sslpassword=k3y-pass&password=s3cret-pw'],
      {},
    );
    expect(inQuery.code).toBe(1);
    expect(inQuery.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^finch migrate-to-postgres: cannot connect to the target database postgres:\/\/finch@127\.0\.0\.1:1\/finch\?sslpassword=(\*\*\*|\[redacted\])&password=(\*\*\*|\[redacted\]) \(.*ECONNREFUSED.*\); nothing was copied$/,
      ),
    ]);
    expect(inQuery.stderr).not.toMatch(/k3y-pass|s3cret-pw/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('copies nothing when PostgreSQL refuses a row part-way (one transaction), and names the table', async () => {
    // A NUL character, which the API refuses on both databases but a SQLite file edited by hand
    // may hold; PostgreSQL's text cannot. canned_replies comes after most tables in the copy.
    const broken = tempDir('finch-broken-');
    copyFileSync(path.join(dataDir, 'finch.db'), path.join(broken, 'finch.db'));
    const edit = new BetterSqlite3(path.join(broken, 'finch.db'));
    edit
      .prepare(`insert into canned_replies (id, shortcut, title, body, created_at, updated_at) values ('cr_nul', 'nul', 'NUL', ?, ?, ?)`)
      .run('a\u0000b', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    edit.close();
    const empty = await createDatabase(inject('postgresUrl')!, 'finch_partial');
    const result = await runFinch(['migrate-to-postgres', '--from', broken, '--to', empty], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^finch migrate-to-postgres: copying table canned_replies failed: .*; nothing was copied \(the copy is one transaction\)$/m);
    // Migrated (the schema is there) but not one row in any table.
    expect(Object.values(await postgresCounts(empty))).toEqual(TABLES_IN_DEPENDENCY_ORDER.map(() => 0));
  });

  it('migrates an older SQLite Finch (brought to the current schema first) and refuses a missing source', async () => {
    const old = tempDir('finch-old-');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(old, 'finch.db')) }) });
    await migrateToLatest(db, 'sqlite', '0012_activity');
    await db.destroy();
    const url = await createDatabase(inject('postgresUrl')!, 'finch_old');
    const result = await runFinch(['migrate-to-postgres', '--from', old, '--to', url], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Bringing .* to this Finch's schema \(0014_sla\)/m);

    const missing = path.join(tempDir('finch-none-'), 'nothing');
    mkdirSync(missing);
    const refused = await runFinch(['migrate-to-postgres', '--from', missing, '--to', url], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^finch migrate-to-postgres: there is no Finch database at .*finch\.db/);
  });
});
