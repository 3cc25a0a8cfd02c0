/**
 * Job leases over SQL (migrations/0008_job_leases.ts): taking a lease is one upsert whose update
 * applies only while the lease has ended and the job is due, so of several nodes trying at once
 * exactly one gets a row back. On PostgreSQL a concurrent upsert waits for the row lock and then
 * re-checks the condition against the row as the winner left it; SQLite writes one statement at a
 * time. Timestamps are the callers' clocks: nodes a few seconds apart shift a run by as much.
 */
import type { Kysely, Selectable } from 'kysely';
import type { JobLease, JobLeaseStore, LeaseAttempt } from '../job-lease-port.js';
import type { Database } from './database.js';
import type { JobLeasesTable, Schema } from './schema.js';

/** Longer errors are cut here: the row records what went wrong, the log has the rest. */
const ERROR_CHARS = 1000;

export class SqlJobLeases implements JobLeaseStore {
  private readonly db: Kysely<Schema>;

  constructor(database: Database) {
    this.db = database.db;
  }

  async acquire(name: string, holder: string, times: { now: Date; until: Date; dueBefore: Date }): Promise<LeaseAttempt> {
    const now = times.now.toISOString();
    const taken = await this.db
      .insertInto('job_leases')
      .values({ name, holder, expires_at: times.until.toISOString(), last_started_at: now, last_finished_at: null, last_outcome: null, last_error: null })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            expires_at: eb.ref('excluded.expires_at'),
            last_started_at: eb.ref('excluded.last_started_at'),
          }))
          .where('job_leases.expires_at', '<=', now)
          .where((eb) => eb.or([eb('job_leases.last_started_at', 'is', null), eb('job_leases.last_started_at', '<=', times.dueBefore.toISOString())])),
      )
      .returning('name')
      .executeTakeFirst();
    if (taken) return { acquired: true };
    return { acquired: false, lease: await this.get(name) };
  }

  async renew(name: string, holder: string, until: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('job_leases')
      .set({ expires_at: until.toISOString() })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async release(name: string, holder: string, at: Date, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
    const iso = at.toISOString();
    await this.db
      .updateTable('job_leases')
      .set({
        expires_at: iso,
        last_finished_at: iso,
        last_outcome: outcome.ok ? 'ok' : 'failed',
        last_error: outcome.ok ? null : outcome.error.slice(0, ERROR_CHARS),
      })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute();
  }

  async get(name: string): Promise<JobLease | undefined> {
    const row = await this.db.selectFrom('job_leases').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toLease(row);
  }
}

function toLease(row: Selectable<JobLeasesTable>): JobLease {
  return {
    name: row.name,
    holder: row.holder,
    expiresAt: row.expires_at,
    lastStartedAt: row.last_started_at,
    lastFinishedAt: row.last_finished_at,
    lastOutcome: row.last_outcome,
    lastError: row.last_error,
  };
}
