/**
 * The shape of one migration. A leaf module: the migrations import it, and the list of migrations
 * (index.ts) imports them, so neither depends on the other.
 */
import type { Kysely } from 'kysely';

/**
 * The databases a migration speaks to. Spelled here rather than imported from database.ts, so a
 * migration depends on nothing outside this folder; index.ts indexes a migration by database.ts's
 * `Dialect`, so the two cannot drift apart without a type error.
 */
export type MigrationDialect = 'sqlite' | 'postgres';

/**
 * SQL statements per dialect, and, when existing rows need something only code can compute, a
 * backfill that runs after them in the same transaction.
 */
export type DialectMigration = Record<MigrationDialect, string[]> & {
  backfill?: (db: Kysely<any>) => Promise<void>;
  /** Statements per dialect that must run after the backfill (e.g. triggers it must not fire). */
  afterBackfill?: Partial<Record<MigrationDialect, string[]>>;
};
