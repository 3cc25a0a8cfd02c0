/**
 * Migrations on SQLite in one transaction, under a write lock. Kysely's SQLite adapter runs them
 * with neither (it assumes one connection in one process): a crash or a failing statement halfway
 * through a migration left the file half-migrated, and two processes starting on one file at once
 * (`finch start` and a CLI command) could both apply the same migration. SQLite does support DDL in
 * transactions, so here the migrator runs in one, and its first statement is a write to Kysely's
 * lock row: it takes SQLite's write lock before anything is read, so a second process waits for
 * the first to finish (through the busy handling in sqlite-busy.ts) and then finds nothing to do.
 * PostgreSQL's adapter already does both (an advisory lock, transactional DDL).
 */
import { type Kysely, type MigrationLockOptions, SqliteAdapter, sql } from 'kysely';

export class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 1 where id = ${options.lockRowId}`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 0 where id = ${options.lockRowId}`.execute(db);
  }
}
