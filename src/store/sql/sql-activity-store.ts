/** Conversations' activity over SQL: `conversation_activity` (migrations/0012_activity.ts). */
import type { ActivityEntry, ActivityEvent } from '../../domain/activity/activity.js';
import { newId } from '../../domain/ids.js';
import type { ActivityReader, ActivityWriter } from '../activity-port.js';
import type { SqlScope } from './database.js';
import { json } from './rows.js';

export class SqlActivityStore implements ActivityWriter, ActivityReader {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async append(events: readonly ActivityEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.scope.db
      .insertInto('conversation_activity')
      .values(
        events.map((event) => ({
          id: newId('act', Date.parse(event.at)),
          conversation_id: event.conversationId,
          at: event.at,
          kind: event.kind,
          actor_type: event.actor.type,
          actor_id: event.actor.id,
          details: JSON.stringify(event.details),
        })),
      )
      .execute();
  }

  async listActivity(conversationId: string, options: { limit: number; afterId?: string }): Promise<ActivityEntry[]> {
    let query = this.scope.db.selectFrom('conversation_activity').selectAll().where('conversation_id', '=', conversationId);
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
    const rows = await query.orderBy('at').orderBy('id').limit(options.limit).execute();
    return rows.map(
      (row) =>
        ({
          id: row.id,
          conversationId: row.conversation_id,
          at: row.at,
          kind: row.kind,
          actor: { type: row.actor_type, id: row.actor_id },
          details: json(row.details),
        }) as ActivityEntry,
    );
  }
}
