/**
 * Migrations run on databases that already hold data: 0003 gives messages written before it their
 * search text, on SQLite and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/store/sql/database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { SqlFinStore } from '../../src/store/sql/sql-fin-store.js';
import { createDatabase } from '../support/postgres-server.js';
import { sqlBackends } from '../support/finch.js';

describe.each(sqlBackends())('migrations on %s', (backend) => {
  it('backfills the search text of messages written before 0003', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-migrate-'));
    const url = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    const database = openDatabase({ url, dataDir });
    try {
      await migrateToLatest(database.db, database.dialect, '0002_helpdesk');
      const at = '2026-01-01T00:00:00.000Z';
      await database.db.insertInto('end_users').values({ id: 'user_old', object_id: null, name: 'Old', email: null, photo_url: null, attributes: '{}', created_at: at, updated_at: at }).execute();
      const fin = await new SqlFinStore(database).ensureFinAgent(at);
      await database.db
        .insertInto('conversations')
        .values({ id: 'conv_old', object_id: null, user_id: 'user_old', assignee_id: fin.id, status: 'open', title: 'Legacy', tags: '[]', attributes: '{}', last_user_read_at: null, assigned_at: at, fin_sync_failed_at: null, handover_reason: null, created_at: at, updated_at: at })
        .execute();
      await database.db
        .insertInto('messages')
        .values({ id: 'msg_old', object_id: null, conversation_id: 'conv_old', author_type: 'end_user', author_user_id: 'user_old', author_agent_id: null, body: '<p>My <b>parcel</b> is &amp; was late</p>', visibility: 'public', attachments: '[]', created_at: at } as never)
        .execute();

      await migrateToLatest(database.db, database.dialect);
      const row = await database.db.selectFrom('messages').select('body_text').where('id', '=', 'msg_old').executeTakeFirstOrThrow();
      expect(row.body_text).toBe('My parcel is & was late');
      const store = new SqlFinStore(database);
      const found = await store.listConversations({ viewerId: fin.id, queue: 'all', words: ['parc'], limit: 10 });
      expect(found.items.map((item) => item.conversation.id)).toEqual(['conv_old']);
      const byTitle = await store.listConversations({ viewerId: fin.id, queue: 'all', words: ['legacy'], limit: 10 });
      expect(byTitle.items.map((item) => item.conversation.id)).toEqual(['conv_old']);
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
