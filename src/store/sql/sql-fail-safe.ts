/**
 * The fail-safe over SQL: when Fin has been unreachable too long, the conversations it holds go to
 * people, each with a sync event so that Fin learns of the handover once it is back.
 */
import { sql } from 'kysely';
import type { FailSafeStore } from '../helpdesk-port.js';
import { writeTransaction, type Database } from './database.js';
import { enqueueSync } from './sql-outbox-store.js';

/** A sync event in one of these has not reached Fin (or is on its way and may not). */
const UNDELIVERED = (['pending', 'in_flight', 'dead'] as const).map((status) => sql.lit(status));

export class SqlFailSafe implements FailSafeStore {
  constructor(private readonly database: Database) {}

  /**
   * One UPDATE finds and changes the conversations, so on PostgreSQL it holds their row locks
   * (as `FOR NO KEY UPDATE` would) until the sync events are written, and a conversation that a
   * concurrent transaction changed (an agent took it, say) is checked again in its new state.
   */
  routeFinConversationsToPeople(since: string, reason: string, at: string): Promise<string[]> {
    return writeTransaction(this.database, async (trx, changed) => {
      const routed = await trx
        .updateTable('conversations')
        .set({ assignee_id: null, assigned_at: at, handover_reason: reason, updated_at: at })
        .where('status', '=', 'open')
        .where('assignee_id', 'in', trx.selectFrom('agents').select('id').where('is_fin', '=', 1))
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
        .returning('id')
        .execute();
      const ids = routed.map((row) => row.id).sort();
      for (const id of ids) {
        await enqueueSync(trx, this.database.dialect, id, at);
        changed.add(id);
      }
      return ids;
    });
  }
}
