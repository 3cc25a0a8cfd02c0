/**
 * A migrated database for the outbox tests, on SQLite or a fresh PostgreSQL database, with the
 * Fin agent in it and helpers to seed conversations and events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Agent, ConversationStatus } from '../../src/domain/model.js';
import { openDatabase, writeTransaction, type Database } from '../../src/store/sql/database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { SqlFinStore } from '../../src/store/sql/sql-fin-store.js';
import { enqueueSync, enqueueTyping } from '../../src/store/sql/sql-outbox-store.js';
import type { Backend } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';

const T0 = Date.parse('2025-10-27T14:00:00.000Z');

/** The test timeline: `at(0)` is the start, `at(90)` a minute and a half later. */
export function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

export interface TestData {
  database: Database;
  store: SqlFinStore;
  fin: Agent;
  /**
   * Pools on the same database, as other processes would have, closed with the rest. On SQLite
   * only the one pool: better-sqlite3 blocks the thread while it waits for the file lock, so a
   * second connection in this process would wait for a transaction that can no longer finish.
   */
  pools(count: number): Database[];
  /**
   * Another connection pool on the same database, as another process would have, closed with the
   * rest; on SQLite a second connection to the same file (another connection's lock is waited out
   * asynchronously, store/sql/sqlite-busy.ts, so statements in one process do not deadlock).
   */
  another(): Database;
  humanAgent(name?: string): Promise<Agent>;
  conversation(options?: { assigneeId?: string | null; status?: ConversationStatus; at?: string }): Promise<string>;
  /** The outbox writers, each in a write transaction of its own (through `database` by default). */
  enqueueSync(conversationId: string, at: string, through?: Database): Promise<void>;
  enqueueTyping(event: Parameters<typeof enqueueTyping>[2], through?: Database): Promise<boolean>;
  close(): Promise<void>;
}

export async function openTestData(backend: Backend): Promise<TestData> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-outbox-'));
  const url = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
  const database = openDatabase({ url, dataDir, poolSize: 10 });
  await migrateToLatest(database.db, database.dialect);
  const store = new SqlFinStore(database);
  const fin = await store.ensureFinAgent(at(0));
  const others: Database[] = [];
  let users = 0;

  return {
    database,
    store,
    fin,
    pools(count) {
      if (!url) return [database];
      const opened = Array.from({ length: count }, () => openDatabase({ url, dataDir, poolSize: 10 }));
      others.push(...opened);
      return opened;
    },
    another() {
      const opened = openDatabase({ url, dataDir, poolSize: 10 });
      others.push(opened);
      return opened;
    },
    humanAgent: (name = 'Hana') =>
      store.insertAgent({
        name,
        email: `${name.toLowerCase()}@example.com`,
        alias: null,
        photoUrl: null,
        role: 'agent',
        isFin: false,
        passwordHash: null,
        at: at(0),
      }),
    conversation: ({ assigneeId = fin.id, status = 'open', at: when = at(0) } = {}) =>
      store.transaction(async (tx) => {
        users += 1;
        const user = await tx.insertUser({ objectId: null, name: `User ${users}`, email: null, photoUrl: null, attributes: {}, at: when });
        const conversation = await tx.insertConversation({
          objectId: null,
          userId: user.value.id,
          assigneeId,
          status,
          title: null,
          tags: [],
          attributes: {},
          at: when,
        });
        return conversation.value.id;
      }),
    enqueueSync: (conversationId, when, through = database) => writeTransaction(through, (trx) => enqueueSync(trx, through.dialect, conversationId, when)),
    enqueueTyping: (event, through = database) => writeTransaction(through, (trx) => enqueueTyping(trx, through.dialect, event)),
    close: async () => {
      for (const another of others) await another.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
