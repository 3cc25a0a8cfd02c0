/**
 * Scheduled jobs (src/jobs/): one row per job, its lease. A node runs a job only while it holds the
 * row's lease, taken by one atomic upsert when the lease has ended and the job is due
 * (`last_started_at` an interval ago, or never), so every Finch process on the database runs each
 * job once per interval between them. The holder renews `expires_at` while the job runs and ends
 * it when the job finishes; a crashed holder's lease simply runs out. The last run's outcome stays
 * on the row for people to read.
 */
import type { DialectMigration } from './dialect-migration.js';

export const jobLeases: DialectMigration = {
  sqlite: [
    `CREATE TABLE job_leases (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      last_started_at TEXT,
      last_finished_at TEXT,
      last_outcome TEXT CHECK (last_outcome IN ('ok', 'failed')),
      last_error TEXT
    ) STRICT`,
  ],
  postgres: [
    `CREATE TABLE job_leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz(3) NOT NULL,
      last_started_at timestamptz(3),
      last_finished_at timestamptz(3),
      last_outcome text CHECK (last_outcome IN ('ok', 'failed')),
      last_error text
    )`,
  ],
};
