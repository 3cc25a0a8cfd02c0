/**
 * Schema migrations, applied in order on start (and by every CLI command) by Kysely's migrator,
 * which takes a lock so that several nodes starting at once migrate exactly once. Each migration
 * is plain SQL per dialect, so a DBA can read what it does.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../database.js';
import type { DialectMigration } from './dialect-migration.js';
import { initial } from './0001_initial.js';
import { helpdesk } from './0002_helpdesk.js';
import { search } from './0003_search.js';
import { cannedReplies } from './0004_canned_replies.js';
import { files } from './0005_files.js';
import { rateLimits } from './0006_rate_limits.js';
import { searchWords } from './0007_search_words.js';
import { jobLeases } from './0008_job_leases.js';
import { peopleEdits } from './0009_people_edits.js';
import { presence } from './0010_presence.js';
import { routing } from './0011_routing.js';
import { activity } from './0012_activity.js';
import { notifications } from './0013_notifications.js';
import { sla } from './0014_sla.js';

const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': initial,
  '0002_helpdesk': helpdesk,
  '0003_search': search,
  '0004_canned_replies': cannedReplies,
  '0005_files': files,
  '0006_rate_limits': rateLimits,
  '0007_search_words': searchWords,
  '0008_job_leases': jobLeases,
  '0009_people_edits': peopleEdits,
  '0010_presence': presence,
  '0011_routing': routing,
  '0012_activity': activity,
  '0013_notifications': notifications,
  '0014_sla': sla,
};

/**
 * Whether `db` has exactly the migrations this Finch knows: none missing, and none unknown (a newer
 * Finch's; the migrator refuses those). False when the bookkeeping table does not exist yet.
 */
async function isCurrent(db: Kysely<any>): Promise<boolean> {
  let applied: string[];
  try {
    applied = (await sql<{ name: string }>`select name from finch_migrations`.execute(db)).rows.map((row) => row.name);
  } catch {
    return false;
  }
  const known = new Set(MIGRATION_NAMES);
  return applied.length === known.size && applied.every((name) => known.has(name));
}

/** The migrations this build of Finch knows, in the order they apply (`0001_initial` first). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

class SqlMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, migration]) => [
        name,
        {
          up: async (db: Kysely<unknown>) => {
            for (const statement of migration[this.dialect]) await sql.raw(statement).execute(db);
            await migration.backfill?.(db);
            for (const statement of migration.afterBackfill?.[this.dialect] ?? []) await sql.raw(statement).execute(db);
          },
        },
      ]),
    );
  }
}

/**
 * Applies every pending migration (or those up to `target`, for tests of a migration itself). A
 * database that already has exactly the migrations this Finch knows is left alone without taking
 * the migration lock: every start and CLI command comes here, and on SQLite that lock is the write
 * lock (sqlite-migration-adapter.ts), which a busy server may hold for a while.
 */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, target?: string): Promise<void> {
  if (target === undefined && (await isCurrent(db))) return;
  const migrator = new Migrator({
    db,
    provider: new SqlMigrationProvider(dialect),
    migrationTableName: 'finch_migrations',
    migrationLockTableName: 'finch_migrations_lock',
  });
  const { error, results } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`database migration${failed ? ` ${failed}` : ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
