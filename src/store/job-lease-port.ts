/**
 * Leases for scheduled jobs (src/jobs/): which node runs a job now, and when it last ran. On SQL
 * one row per job in the database, so every Finch process on it agrees (store/sql/sql-job-leases.ts).
 */

/** A job's lease row. Times are ISO 8601 strings. */
export interface JobLease {
  name: string;
  /** Who holds the lease (or held it last): `host:pid:random`. */
  holder: string;
  /** The lease ends here: from then on any node may take it. */
  expiresAt: string;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastOutcome: 'ok' | 'failed' | null;
  /** The last run's error message when it failed. */
  lastError: string | null;
}

/**
 * What trying to take a lease came to: taken, or the lease as it stands (held, or not due yet;
 * undefined only if the row was deleted in between).
 */
export type LeaseAttempt = { acquired: true } | { acquired: false; lease: JobLease | undefined };

export interface JobLeaseStore {
  /**
   * Takes the lease on job `name` for `holder` until `until` (and records `now` as its start) when
   * the lease has ended (`expiresAt <= now`) and the job is due (it last started at or before
   * `dueBefore`, or never). Atomic across processes: of any number of nodes trying at once, at
   * most one acquires. A job that has never run gets its row here.
   */
  acquire(name: string, holder: string, times: { now: Date; until: Date; dueBefore: Date }): Promise<LeaseAttempt>;
  /** Moves the end of `holder`'s lease to `until`; false when `holder` no longer holds it (another node took it over). */
  renew(name: string, holder: string, until: Date): Promise<boolean>;
  /** Ends `holder`'s lease at `at` and records the run's outcome; does nothing when another node holds it now. */
  release(name: string, holder: string, at: Date, outcome: { ok: true } | { ok: false; error: string }): Promise<void>;
  get(name: string): Promise<JobLease | undefined>;
}
