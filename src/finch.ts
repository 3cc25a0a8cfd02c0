/**
 * Opening Finch's data: the database (migrated to the latest schema), the stores over it, and the
 * Fin agent, which must exist before Fin's first call. The server and every CLI command start
 * here, so they all see the same data the same way.
 */
import type { Config } from './config.js';
import { openDatabase, type Database } from './store/sql/database.js';
import { migrateToLatest } from './store/sql/migrations/index.js';
import { SqlCredentialStore } from './store/sql/sql-credential-store.js';
import { SqlFinStore } from './store/sql/sql-fin-store.js';
import { sql } from 'kysely';

export interface Finch {
  database: Database;
  store: SqlFinStore;
  credentials: SqlCredentialStore;
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

export async function openFinch(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize'>): Promise<Finch> {
  const database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  try {
    await migrateToLatest(database.db, database.dialect);
    const store = new SqlFinStore(database);
    await store.ensureFinAgent(new Date().toISOString());
    return {
      database,
      store,
      credentials: new SqlCredentialStore(database),
      ping: async () => {
        await sql`select 1`.execute(database.db);
      },
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
