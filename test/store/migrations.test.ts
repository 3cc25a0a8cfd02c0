/**
 * Migrations run on databases that already hold data: 0003 gives messages written before it their
 * search text, and 0007 gives titles and messages written before it their search words, on SQLite
 * and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/store/sql/database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { SqlFinStore } from '../../src/store/sql/sql-fin-store.js';
import { createDatabase } from '../support/postgres-server.js';
import { sqlBackends } from '../support/finch.js';

describe.each(sqlBackends())('migrations on %s', (backend) => {
  it('backfills the search text of messages written before 0003, and the search words of everything written before 0007', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-migrate-'));
    const url = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    const database = openDatabase({ url, dataDir });
    try {
      await migrateToLatest(database.db, database.dialect, '0002_helpdesk');
      const at = '2026-01-01T00:00:00.000Z';
      await database.db
        .insertInto('end_users')
        .values({ id: 'user_old', object_id: null, name: 'Old', email: null, photo_url: null, attributes: '{}', created_at: at, updated_at: at })
        .execute();
      const fin = await new SqlFinStore(database).ensureFinAgent(at);
      await database.db
        .insertInto('conversations')
        .values({
          id: 'conv_old',
          object_id: null,
          user_id: 'user_old',
          assignee_id: fin.id,
          status: 'open',
          title: 'Legacy',
          tags: '[]',
          attributes: '{}',
          last_user_read_at: null,
          assigned_at: at,
          fin_sync_failed_at: null,
          handover_reason: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await database.db
        .insertInto('messages')
        .values({
          id: 'msg_old',
          object_id: null,
          conversation_id: 'conv_old',
          author_type: 'end_user',
          author_user_id: 'user_old',
          author_agent_id: null,
          body: '<p>My <b>parcel</b> is &amp; was late</p>',
          visibility: 'public',
          attachments: '[]',
          created_at: at,
        } as never)
        .execute();

      await migrateToLatest(database.db, database.dialect, '0003_search');
      const row = await database.db
        .selectFrom('messages')
        .select('body_text' as never)
        .where('id', '=', 'msg_old')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ body_text: 'My parcel is & was late' });

      // Written between 0003 and 0007, as Finch then wrote them (plain text beside the body).
      await database.db
        .insertInto('conversations')
        .values({
          id: 'conv_mid',
          object_id: null,
          user_id: 'user_old',
          assignee_id: fin.id,
          status: 'open',
          title: 'किस दिन',
          tags: '[]',
          attributes: '{}',
          last_user_read_at: null,
          assigned_at: at,
          fin_sync_failed_at: null,
          handover_reason: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await database.db
        .insertInto('messages')
        .values({
          id: 'msg_mid',
          object_id: null,
          conversation_id: 'conv_mid',
          author_type: 'end_user',
          author_user_id: 'user_old',
          author_agent_id: null,
          body: '<p>கடை <i>Café</i></p>',
          body_text: 'கடை Café',
          visibility: 'public',
          attachments: '[]',
          created_at: at,
        } as never)
        .execute();
      await database.db.updateTable('conversations').set({ title: 'Legacy दान' }).where('id', '=', 'conv_old').execute();

      await migrateToLatest(database.db, database.dialect);
      const words = await database.db.selectFrom('messages').select(['id', 'body_words']).orderBy('id').execute();
      expect(words).toEqual([
        { id: 'msg_mid', body_words: 'கடை cafe' },
        { id: 'msg_old', body_words: 'my parcel is was late' },
      ]);
      const titles = await database.db.selectFrom('conversations').select(['id', 'title_words']).orderBy('id').execute();
      expect(titles).toEqual([
        { id: 'conv_mid', title_words: 'किस दिन' },
        { id: 'conv_old', title_words: 'legacy दान' },
      ]);
      const store = new SqlFinStore(database);
      const search = async (...searched: string[]) =>
        (await store.listConversations({ viewerId: fin.id, queue: 'all', words: searched, limit: 10 })).items.map((item) => item.conversation.id);
      expect(await search('parc')).toEqual(['conv_old']);
      expect(await search('legacy')).toEqual(['conv_old']);
      expect(await search('दान')).toEqual(['conv_old']);
      expect(await search('दिन')).toEqual(['conv_mid']);
      expect(await search('கடை')).toEqual(['conv_mid']);
      expect(await search('café')).toEqual(['conv_mid']);
      expect(await search('கடல்')).toEqual([]);

      // Written after 0007: the triggers keep the index current.
      await store.insertMessage({
        objectId: null,
        conversationId: 'conv_mid',
        author: { type: 'end_user', id: 'user_old' },
        body: '<p>বাংলা</p>',
        visibility: 'public',
        attachments: [],
        createdAt: at,
      });
      expect(await search('বাংলা')).toEqual(['conv_mid']);
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('applies a migration whole or not at all: one that fails halfway leaves no trace, and runs again once the cause is gone', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-migrate-'));
    const url = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    const database = openDatabase({ url, dataDir });
    const columns = async () =>
      backend === 'postgres'
        ? (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = 'conversations'`.execute(database.db)).rows
        : (await sql<{ name: string }>`select name from pragma_table_info('conversations')`.execute(database.db)).rows;
    try {
      await migrateToLatest(database.db, database.dialect, '0013_notifications');
      // 0014 adds columns, then creates this index: its name is taken, so it fails after the columns.
      await sql`CREATE INDEX conversations_reply_due ON agents (id)`.execute(database.db);
      await expect(migrateToLatest(database.db, database.dialect)).rejects.toThrow(/0014_sla/);
      expect((await columns()).map((column) => column.name)).not.toContain('handed_over_at');
      const applied = await sql<{ name: string }>`select name from finch_migrations order by name`.execute(database.db);
      expect(applied.rows.at(-1)?.name).toBe('0013_notifications');

      await sql`DROP INDEX conversations_reply_due`.execute(database.db);
      await migrateToLatest(database.db, database.dialect);
      expect((await columns()).map((column) => column.name)).toContain('handed_over_at');
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  if (backend === 'sqlite')
    it('leaves a current database alone without waiting for its write lock, which a busy server may hold', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-migrate-'));
      const database = openDatabase({ dataDir });
      const other = new BetterSqlite3(path.join(dataDir, 'finch.db'));
      try {
        await migrateToLatest(database.db, database.dialect);
        // Another process writing: it holds SQLite's write lock.
        other.exec('BEGIN IMMEDIATE');
        await migrateToLatest(database.db, database.dialect);
        other.exec('ROLLBACK');
      } finally {
        other.close();
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
});
