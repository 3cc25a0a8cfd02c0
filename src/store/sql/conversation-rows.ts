/** Conversations as one row each, with their end-user and assignee joined in. */
import type { Kysely, Updateable } from 'kysely';
import type { Conversation, PeopleEdits } from '../../domain/model.js';
import { AGENT_COLUMNS, USER_COLUMNS, agentFrom, json, prefixed, userFrom } from './rows.js';
import type { Schema } from './schema.js';

/** The columns of a conversation row: the conversation as `c`, its end-user `u`, its assignee `a`. */
const CONVERSATION_COLUMNS = [
  'c.id',
  'c.object_id',
  'c.status',
  'c.title',
  'c.tags',
  'c.attributes',
  'c.last_user_read_at',
  'c.assigned_at',
  'c.fin_sync_failed_at',
  'c.handover_reason',
  'c.unread_at',
  'c.people_edits',
  'c.handed_over_at',
  'c.reply_due_at',
  'c.resolve_due_at',
  'c.sla_breached_at',
  'c.created_at',
  'c.updated_at',
  ...prefixed('u', USER_COLUMNS, 'u_'),
  ...prefixed('a', AGENT_COLUMNS, 'a_'),
] as const;

/** A conversation with its end-user and assignee, in one row. */
export function conversationQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('end_users as u', 'u.id', 'c.user_id')
    .leftJoin('agents as a', 'a.id', 'c.assignee_id')
    .select(CONVERSATION_COLUMNS);
}

/**
 * PostgreSQL only (SQLite has no data-modifying WITH): updates a conversation and gives the row
 * `conversationQuery` would read afterwards, in one statement instead of two.
 */
export function updateConversationReturningRow(db: Kysely<Schema>, id: string, set: Updateable<Schema['conversations']>) {
  return db
    .with('updated', (qb) => qb.updateTable('conversations').set(set).where('id', '=', id).returningAll())
    .selectFrom('updated as c')
    .innerJoin('end_users as u', 'u.id', 'c.user_id')
    .leftJoin('agents as a', 'a.id', 'c.assignee_id')
    .select(CONVERSATION_COLUMNS);
}

export type ConversationRow = Awaited<ReturnType<ReturnType<typeof conversationQuery>['executeTakeFirstOrThrow']>>;

export function conversationFrom(row: ConversationRow): Conversation {
  return {
    id: row.id,
    objectId: row.object_id,
    status: row.status,
    user: userFrom(row, 'u_'),
    assignee: row.a_id === null ? null : agentFrom(row, 'a_'),
    title: row.title,
    tags: json<string[]>(row.tags),
    attributes: json<Record<string, unknown>>(row.attributes),
    lastUserReadAt: row.last_user_read_at,
    assignedAt: row.assigned_at ?? row.created_at,
    finSyncFailedAt: row.fin_sync_failed_at,
    handoverReason: row.handover_reason,
    unreadAt: row.unread_at,
    peopleEdits: row.people_edits === null ? null : json<PeopleEdits>(row.people_edits),
    handedOverAt: row.handed_over_at,
    replyDueAt: row.reply_due_at,
    resolveDueAt: row.resolve_due_at,
    slaBreachedAt: row.sla_breached_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
