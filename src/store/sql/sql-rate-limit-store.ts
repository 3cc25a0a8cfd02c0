/**
 * Rate-limit counters in the database, shared by every Finch process on it. One upsert counts an
 * attempt and returns the count, so concurrent attempts on any node each see their own number
 * (the row is locked by the update on PostgreSQL; SQLite writes one statement at a time).
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { RateLimitHit, RateLimitStore } from '../rate-limit-port.js';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

/** Expired windows are deleted at most this often per process. */
const PRUNE_EVERY_MS = 60_000;

export class SqlRateLimitStore implements RateLimitStore {
  private readonly db: Kysely<Schema>;
  private prunedAt = 0;

  constructor(database: Database) {
    this.db = database.db;
  }

  async hit(key: string, windowMs: number, now: Date): Promise<RateLimitHit> {
    const at = now.getTime();
    // Hashed: the table holds no addresses or emails, and keys have one length.
    const hashed = createHash('sha256').update(key).digest('hex');
    const { rows } = await sql<{ hits: number | string; resets_at: number | string }>`
      INSERT INTO rate_limits (key, hits, resets_at) VALUES (${hashed}, 1, ${at + windowMs})
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.resets_at <= ${at} THEN 1 ELSE rate_limits.hits + 1 END,
        resets_at = CASE WHEN rate_limits.resets_at <= ${at} THEN excluded.resets_at ELSE rate_limits.resets_at END
      RETURNING hits, resets_at`.execute(this.db);
    const row = rows[0]!;
    if (at - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = at;
      // Not awaited: the attempt is counted; a slow or failed clean-up must not refuse it (the next
      // minute's prune takes the rows this one left).
      void this.prune(now).catch(() => undefined);
    }
    return { count: Number(row.hits), resetAt: Number(row.resets_at) };
  }

  /** Deletes every window that has ended. */
  async prune(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('rate_limits').where('resets_at', '<=', now.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
