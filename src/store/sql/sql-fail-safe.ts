/**
 * The fail-safe over SQL: which conversations go to people when Fin has been unreachable too long.
 * The hand-over itself (what changes on them, their sync events and activity) is the domain's
 * (domain/fin-unreachable.ts), in a unit of work.
 */
import { sql } from 'kysely';
import type { FailSafeStore } from '../helpdesk-port.js';
import type { Database } from './database.js';

/** A sync event in one of these has not reached Fin (or is on its way and may not). */
const UNDELIVERED = (['pending', 'in_flight', 'dead'] as const).map((status) => sql.lit(status));

export class SqlFailSafe implements FailSafeStore {
  constructor(private readonly database: Database) {}

  /** One read; the hand-over locks each one and checks again that it is still open with Fin. */
  async finConversationsToRoute(since: string): Promise<string[]> {
    const db = this.database.db;
    const rows = await db
      .selectFrom('conversations')
      .select('id')
      .where('status', '=', 'open')
      .where('assignee_id', 'in', db.selectFrom('agents').select('id').where('is_fin', '=', 1))
      .where((eb) =>
        eb.or([
          eb('updated_at', '>=', since),
          eb.exists(
            eb
              .selectFrom('outbox_events as e')
              .select('e.id')
              .whereRef('e.conversation_id', '=', 'conversations.id')
              .where('e.kind', '=', sql.lit('sync'))
              .where('e.status', 'in', UNDELIVERED),
          ),
        ]),
      )
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }
}
