/**
 * The metrics' and readiness probe's reads (store/metrics-port.ts) over Finch's SQL database: two
 * aggregate statements for the gauges, one read of the migrations table, and the pool's counts.
 */
import { sql } from 'kysely';
import type { MetricsStore, OperationalReadings, PoolCounts } from '../metrics-port.js';
import type { Database } from './database.js';
import { translateError } from './errors.js';
import { MIGRATION_NAMES } from './migrations/index.js';

export class SqlMetricsStore implements MetricsStore {
  private readonly known: string[];

  constructor(
    private readonly database: Database,
    known: readonly string[] = MIGRATION_NAMES,
  ) {
    this.known = [...known];
  }

  async readings(now: Date): Promise<OperationalReadings> {
    const { db } = this.database;
    try {
      const [outbox, waiting] = await Promise.all([
        db
          .selectFrom('outbox_events')
          .where('status', 'in', ['pending', 'in_flight'])
          .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('created_at').as('oldest')])
          .executeTakeFirstOrThrow(),
        // The Waiting queue's rule (sql-queues.ts): open and held by nobody, waiting since its assignee last changed.
        db
          .selectFrom('conversations')
          .where('status', '=', 'open')
          .where('assignee_id', 'is', null)
          .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min(sql<string>`coalesce(assigned_at, created_at)`).as('oldest')])
          .executeTakeFirstOrThrow(),
      ]);
      return {
        outboxPending: Number(outbox.count),
        outboxOldestPendingSeconds: ageSeconds(outbox.oldest, now),
        conversationsWaiting: Number(waiting.count),
        oldestWaitingSeconds: ageSeconds(waiting.oldest, now),
      };
    } catch (error) {
      throw translateError(error);
    }
  }

  async missingMigrations(): Promise<string[]> {
    try {
      const rows = await sql<{ name: string }>`select name from finch_migrations`.execute(this.database.db);
      const applied = new Set(rows.rows.map((row) => row.name));
      return this.known.filter((name) => !applied.has(name));
    } catch (error) {
      throw translateError(error);
    }
  }

  pool(): PoolCounts {
    return this.database.pool?.() ?? { inUse: 0, idle: 0, waiting: 0, max: 0 };
  }
}

/** Seconds from an ISO timestamp (or a Date, as some drivers give `min()`) to `now`; 0 for none, never negative. */
function ageSeconds(oldest: unknown, now: Date): number {
  if (oldest === null || oldest === undefined) return 0;
  const at = oldest instanceof Date ? oldest.getTime() : Date.parse(String(oldest));
  return Number.isNaN(at) ? 0 : Math.max(0, (now.getTime() - at) / 1000);
}
