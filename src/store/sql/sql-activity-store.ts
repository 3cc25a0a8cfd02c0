/**
 * Conversations' activity over SQL: `conversation_activity` (migrations/0012_activity.ts). Reads
 * walk an index in (at, id) order, a page at a time (keyset: strictly after the last position).
 */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { ActivityEntry, ActivityEvent } from '../../domain/activity/activity.js';
import { newId } from '../../domain/ids.js';
import type { ActivityPosition, ActivityReader, ActivityWriter } from '../activity-port.js';
import type { SqlScope } from './database.js';
import { json } from './rows.js';
import type { Schema } from './schema.js';

type ActivityRow = Selectable<Schema['conversation_activity']>;

export class SqlActivityStore implements ActivityWriter, ActivityReader {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async append(events: readonly ActivityEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.scope.db
      .insertInto('conversation_activity')
      .values(
        events.map((event) => ({
          // Increasing within the process, so events of one change keep their order at the same time.
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

  async listActivity(conversationId: string, options: { limit: number; after?: ActivityPosition | undefined }): Promise<ActivityEntry[]> {
    return (await conversationActivityQuery(this.scope.db, conversationId, options).execute()).map(entryFrom);
  }

  async scanActivity(options: ActivityRange): Promise<ActivityEntry[]> {
    return (await activityRangeQuery(this.scope.db, options).execute()).map(entryFrom);
  }
}

type ActivityRange = Parameters<ActivityReader['scanActivity']>[0];

/** A page of one conversation's events in (at, id) order: the (conversation_id, at, id) index. */
export function conversationActivityQuery(db: Kysely<Schema>, conversationId: string, options: { limit: number; after?: ActivityPosition | undefined }) {
  let query = db.selectFrom('conversation_activity').selectAll().where('conversation_id', '=', conversationId);
  if (options.after) query = query.where(afterPosition(options.after));
  return query.orderBy('at').orderBy('id').limit(options.limit);
}

/** A page of every conversation's events in a time range, of one kind or all: the (kind, at, id) or (at, id) index. */
export function activityRangeQuery(db: Kysely<Schema>, options: ActivityRange) {
  let query = db.selectFrom('conversation_activity').selectAll().where('at', '>=', options.from).where('at', '<', options.to);
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  if (options.after) query = query.where(afterPosition(options.after));
  return query.orderBy('at').orderBy('id').limit(options.limit);
}

/** `(at, id) > (after.at, after.id)`, as a row comparison both databases match to the (…, at, id) indexes. */
function afterPosition(after: ActivityPosition) {
  return (eb: ExpressionBuilder<Schema, 'conversation_activity'>) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(after.at, after.id));
}

function entryFrom(row: ActivityRow): ActivityEntry {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    at: row.at,
    kind: row.kind,
    actor: { type: row.actor_type, id: row.actor_id },
    details: json(row.details),
  } as ActivityEntry;
}
