/**
 * What the metrics and the readiness probe read from the database at scrape or probe time
 * (src/metrics/): a few counts over the outbox and the waiting queue, the database pool, and
 * whether every migration this Finch knows is applied. Reads only; each is one short statement.
 */

/** The database-derived gauges, read together at scrape time. */
export interface OperationalReadings {
  /** Outbox events not yet settled: `pending` or `in_flight` (claimed, being delivered). */
  outboxPending: number;
  /** Age in seconds of the oldest such event (from its creation); 0 when there is none. */
  outboxOldestPendingSeconds: number;
  /** Open conversations held by nobody (the inbox's Waiting queue). */
  conversationsWaiting: number;
  /** How long the longest-waiting of them has waited, in seconds (since it last lost its assignee); 0 when none waits. */
  oldestWaitingSeconds: number;
}

/** The database pool of this process, as the driver counts it. */
export interface PoolCounts {
  /** Connections checked out by a query or transaction now. */
  inUse: number;
  /** Connections open and free. */
  idle: number;
  /** Queries waiting for a connection (the pool is at its size). */
  waiting: number;
  /** The pool's upper bound (FINCH_DB_POOL_SIZE on PostgreSQL; 1 on SQLite: one connection per process). */
  max: number;
}

export interface MetricsStore {
  /** Reads the gauges as of `now`; throws `DatabaseUnavailableError` when the database cannot answer. */
  readings(now: Date): Promise<OperationalReadings>;
  /** The migrations this Finch knows that the database has not applied (empty: current); throws when the database cannot answer. */
  missingMigrations(): Promise<string[]>;
  /** The pool's counts now (no statement runs). */
  pool(): PoolCounts;
}
