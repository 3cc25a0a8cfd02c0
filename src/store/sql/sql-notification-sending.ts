/**
 * The sender's queries over `notifications` (sql-notification-store.ts's outbox side): claims with a
 * lease (PostgreSQL `FOR UPDATE SKIP LOCKED`; on SQLite one write transaction), settlements guarded
 * by the claim, and what the sender reads to judge a claimed row.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ConversationGlance, NotificationChannel, NotificationRecord, SettleOutcome } from '../notification-port.js';
import { atomically, type SqlScope } from './database.js';
import { json } from './rows.js';
import type { NotificationsTable, Schema } from './schema.js';

/** Statuses are written into the SQL, not bound, so that PostgreSQL's generic plans can use the partial index `notifications_due`. */
const DUE = [sql.lit('pending' as const), sql.lit('in_flight' as const)];

export async function claimDue(
  scope: SqlScope,
  worker: string,
  now: string,
  leaseUntil: string,
  limit: number,
  channels: readonly NotificationChannel[],
): Promise<NotificationRecord[]> {
  const skipLocked = scope.dialect === 'postgres';
  return atomically(scope, async (trx) => {
    const take = (narrow: (db: Kysely<Schema>) => ReturnType<typeof dueIds>) =>
      trx
        .updateTable('notifications')
        .set((eb) => ({ status: 'in_flight', claimed_by: worker, available_at: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
        .where('id', 'in', skipLocked ? narrow(trx).forUpdate().skipLocked() : narrow(trx))
        .returningAll()
        .execute();
    const claimed = await take((db) =>
      dueIds(db, now)
        .where('channel', 'in', [...channels])
        .orderBy('available_at')
        .orderBy('id')
        .limit(limit),
    );
    // A burst for one recipient is one email: take the rest of their due emails with the first.
    const recipients = [...new Set(claimed.filter((row) => row.channel === 'email').map((row) => row.recipient))];
    const more =
      recipients.length === 0 ? [] : await take((db) => dueIds(db, now).where('channel', '=', sql.lit('email')).where('recipient', 'in', recipients));
    return [...claimed, ...more].map(recordFrom);
  });
}

export async function nextDueAt(scope: SqlScope, channels: readonly NotificationChannel[]): Promise<string | null> {
  const row = await scope.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.min('available_at').as('next'))
    .where('status', 'in', DUE)
    .where('channel', 'in', [...channels])
    .executeTakeFirst();
  return row?.next ? iso(row.next as string) : null;
}

export async function settleClaimed(scope: SqlScope, worker: string, ids: readonly string[], outcome: SettleOutcome, at: string): Promise<void> {
  if (ids.length === 0) return;
  const changes =
    // A settled row's `available_at` becomes when it was settled: the grouping of bursts counts its window from there.
    outcome.status === 'sent'
      ? { status: 'sent' as const, sent_at: at, available_at: at, last_error: null }
      : outcome.status === 'dropped'
        ? { status: 'dropped' as const, available_at: at, last_error: outcome.reason }
        : outcome.status === 'retry'
          ? { status: 'pending' as const, available_at: outcome.availableAt, last_error: outcome.error }
          : { status: 'dead' as const, available_at: at, last_error: outcome.error };
  await scope.db
    .updateTable('notifications')
    .set({ ...changes, claimed_by: null, updated_at: at })
    .where('id', 'in', [...ids])
    .where('claimed_by', '=', worker)
    .where('status', '=', sql.lit('in_flight'))
    .execute();
}

export async function glanceAt(scope: SqlScope, conversationIds: readonly string[]): Promise<Map<string, ConversationGlance>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await scope.db
    .selectFrom('conversations as c')
    .innerJoin('end_users as u', 'u.id', 'c.user_id')
    .select(['c.id', 'c.status', 'c.assignee_id', 'c.title', 'u.name as customer_name'])
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .select('m.body')
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.author_type', '=', 'end_user')
        .orderBy('m.created_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(1)
        .as('last_customer_body'),
    )
    .where('c.id', 'in', [...conversationIds])
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        status: row.status,
        assigneeId: row.assignee_id,
        title: row.title,
        customerName: row.customer_name,
        lastCustomerText: row.last_customer_body ?? null,
      },
    ]),
  );
}

export async function waitingSince(
  scope: SqlScope,
  handedOverBefore: string,
  limit: number,
): Promise<{ id: string; handedOverAt: string; title: string | null }[]> {
  const rows = await scope.db
    .selectFrom('conversations')
    .select(['id', 'handed_over_at', 'title'])
    .where('status', '=', 'open')
    .where('assignee_id', 'is', null)
    .where('handed_over_at', 'is not', null)
    .where('handed_over_at', '<=', handedOverBefore)
    .orderBy('handed_over_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, handedOverAt: iso(row.handed_over_at!), title: row.title }));
}

function dueIds(db: Kysely<Schema>, now: string) {
  return db.selectFrom('notifications').select('id').where('status', 'in', DUE).where('available_at', '<=', now);
}

export function recordFrom(row: Selectable<NotificationsTable>): NotificationRecord {
  return {
    id: row.id,
    channel: row.channel,
    event: row.event,
    eventKey: row.event_key,
    conversationId: row.conversation_id,
    agentId: row.agent_id,
    recipient: row.recipient,
    payload: json<Record<string, unknown>>(row.payload),
    status: row.status,
    attempts: row.attempts,
    availableAt: iso(row.available_at),
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    sentAt: row.sent_at === null ? null : iso(row.sent_at),
  };
}

/** One spelling of a time (an aggregate may come back from PostgreSQL in its own). */
export function iso(value: string | Date): string {
  return new Date(value).toISOString();
}
