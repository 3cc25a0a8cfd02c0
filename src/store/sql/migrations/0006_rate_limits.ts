/**
 * Rate limits shared by every Finch process on the database (sign-in, password checks, the token
 * endpoint): one row per limited key and window. Keys are SHA-256 hashes (no addresses or emails
 * stored); `resets_at` is milliseconds since the epoch, indexed so that expired windows are deleted
 * cheaply.
 *
 * Also: agents' emails are rewritten in the one spelling sign-in looks them up by
 * (domain/auth/email.ts: NFKC, invisible characters removed, white space trimmed, lower case).
 * Two agents whose emails differ only in that spelling cannot both have it: the one already
 * holding it (or, failing that, the older one) keeps it, and the other keeps its stored email,
 * which an admin can see and change.
 */
import type { Kysely } from 'kysely';
import type { DialectMigration } from './dialect-migration.js';

/**
 * A frozen copy of domain/auth/email.ts's `normalizeEmail` as it was when this migration was
 * written: a migration must run the same on every installation, whatever the live rule becomes.
 */
function normalizeEmail(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '')
    .toLowerCase()
    .normalize('NFKC');
}

export const rateLimits: DialectMigration = {
  sqlite: [
    `CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      hits INTEGER NOT NULL,
      resets_at INTEGER NOT NULL
    ) STRICT`,
    `CREATE INDEX rate_limits_resets_at ON rate_limits (resets_at)`,
  ],
  postgres: [
    `CREATE TABLE rate_limits (
      key text PRIMARY KEY,
      hits integer NOT NULL,
      resets_at bigint NOT NULL
    )`,
    `CREATE INDEX rate_limits_resets_at ON rate_limits (resets_at)`,
  ],
  backfill: async (db: Kysely<any>) => {
    const agents: { id: string; email: string }[] = await db.selectFrom('agents').select(['id', 'email']).orderBy('created_at').orderBy('id').execute();
    for (const agent of agents) {
      const email = normalizeEmail(agent.email);
      if (email === agent.email) continue;
      const holder = await db
        .selectFrom('agents')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
        .where('id', '<>', agent.id)
        .executeTakeFirst();
      if (!holder) await db.updateTable('agents').set({ email }).where('id', '=', agent.id).execute();
    }
  },
};
