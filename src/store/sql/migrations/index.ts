/**
 * Schema migrations, applied in order on start (and by every CLI command) by Kysely's migrator,
 * which takes a lock so that several nodes starting at once migrate exactly once. Each migration
 * is plain SQL per dialect, so a DBA can read what it does.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../database.js';
import { initial } from './0001_initial.js';
import { helpdesk } from './0002_helpdesk.js';

export type DialectMigration = Record<Dialect, string[]>;

const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': initial,
  '0002_helpdesk': helpdesk,
};

class SqlMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, statements]) => [
        name,
        {
          up: async (db: Kysely<unknown>) => {
            for (const statement of statements[this.dialect]) await sql.raw(statement).execute(db);
          },
        },
      ]),
    );
  }
}

export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new SqlMigrationProvider(dialect), migrationTableName: 'finch_migrations', migrationLockTableName: 'finch_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
