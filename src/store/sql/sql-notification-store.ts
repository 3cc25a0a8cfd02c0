/**
 * Notifications over SQL: `notifications`, `agents.notification_prefs` (migrations/0013_notifications.ts)
 * and two `settings` rows: `chat_webhook` (the team's chat webhook) and `notification_channels`
 * (what the last sender to start could deliver).
 *
 * Senders in several processes share the table like the outbox's dispatchers: on PostgreSQL a
 * claim takes its rows with `FOR UPDATE SKIP LOCKED`, so each row goes to one sender and none
 * waits for another; on SQLite the claim is one write transaction, which the database serializes.
 * Every settlement is guarded by the claim (same sender, still in flight), so a sender whose lease
 * ran out cannot overwrite what the one that took over did.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { newId } from '../../domain/ids.js';
import { NO_CHAT_WEBHOOK, type ChatWebhookSettings } from '../../domain/notifications/chat-webhook.js';
import { prefsFrom, type NotificationPrefs } from '../../domain/notifications/preferences.js';
import type {
  ConversationGlance,
  DeliveryChannels,
  EmailRecipient,
  EmailSlot,
  NewNotification,
  NotificationChannel,
  NotificationOutbox,
  NotificationReader,
  NotificationRecord,
  NotificationWriter,
  SettleOutcome,
} from '../notification-port.js';
import { atomically, type SqlScope } from './database.js';
import { json } from './rows.js';
import type { NotificationsTable, Schema } from './schema.js';
import { readSetting, writeSetting } from './sql-settings-store.js';

const CHAT_WEBHOOK = 'chat_webhook';
const CHANNELS = 'notification_channels';
/** Statuses are written into the SQL, not bound, so that PostgreSQL's generic plans can use the partial index `notifications_due`. */
const DUE = [sql.lit('pending' as const), sql.lit('in_flight' as const)];

export class SqlNotificationStore implements NotificationWriter, NotificationReader, NotificationOutbox {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async enqueue(notifications: readonly NewNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    await this.scope.db
      .insertInto('notifications')
      .values(
        notifications.map((notification) => ({
          id: newId('ntf'),
          channel: notification.channel,
          event: notification.event,
          event_key: notification.eventKey,
          conversation_id: notification.conversationId,
          agent_id: notification.agentId,
          recipient: notification.recipient,
          payload: JSON.stringify(notification.payload),
          status: 'pending' as const,
          attempts: 0,
          available_at: notification.availableAt,
          created_at: notification.at,
          updated_at: notification.at,
        })),
      )
      .onConflict((conflict) => conflict.columns(['event_key', 'channel', 'recipient']).doNothing())
      .execute();
  }

  async emailRecipients(): Promise<EmailRecipient[]> {
    const rows = await this.scope.db
      .selectFrom('agents')
      .select(['id', 'name', 'email', 'notification_prefs'])
      .where('is_fin', '=', 0)
      .where('active', '=', 1)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ agentId: row.id, name: row.name, email: row.email, prefs: prefsFrom(parse(row.notification_prefs)) }));
  }

  async assigneesOf(conversationIds: readonly string[]): Promise<Map<string, string>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.scope.db
      .selectFrom('conversations')
      .select(['id', 'assignee_id'])
      .where('id', 'in', [...conversationIds])
      .where('assignee_id', 'is not', null)
      .execute();
    return new Map(rows.map((row) => [row.id, row.assignee_id!]));
  }

  async emailSlots(recipients: readonly string[], since: string): Promise<Map<string, EmailSlot>> {
    if (recipients.length === 0) return new Map();
    const rows = await this.scope.db
      .selectFrom('notifications')
      .select((eb) => [
        'recipient',
        eb.fn.min(eb.case().when('status', '=', sql.lit('pending')).then(eb.ref('available_at')).end()).as('pending_at'),
        // A sent row's `updated_at` is when it went; an in-flight one's, when it was claimed (it is going).
        eb.fn
          .max(
            eb
              .case()
              .when('status', 'in', [sql.lit('sent' as const), sql.lit('in_flight' as const)])
              .then(eb.ref('updated_at'))
              .end(),
          )
          .as('sent_at'),
      ])
      .where('recipient', 'in', [...recipients])
      .where('channel', '=', sql.lit('email'))
      .where((eb) => eb.or([eb('status', '=', sql.lit('pending')), eb('updated_at', '>', since)]))
      .groupBy('recipient')
      .execute();
    return new Map(
      rows.map((row) => [
        row.recipient,
        { pendingAt: row.pending_at === null ? null : iso(row.pending_at as string), sentAt: row.sent_at === null ? null : iso(row.sent_at as string) },
      ]),
    );
  }

  async chatWebhook(): Promise<ChatWebhookSettings> {
    return readSetting(this.scope.db, CHAT_WEBHOOK, NO_CHAT_WEBHOOK);
  }

  async setChatWebhook(settings: ChatWebhookSettings, at: string): Promise<void> {
    await writeSetting(this.scope.db, CHAT_WEBHOOK, settings, at);
  }

  async setPreferences(agentId: string, prefs: NotificationPrefs, at: string): Promise<void> {
    await this.scope.db
      .updateTable('agents')
      .set({ notification_prefs: JSON.stringify(prefs), updated_at: at })
      .where('id', '=', agentId)
      .execute();
  }

  async preferencesOf(agentId: string): Promise<NotificationPrefs> {
    const row = await this.scope.db.selectFrom('agents').select('notification_prefs').where('id', '=', agentId).executeTakeFirst();
    return prefsFrom(parse(row?.notification_prefs ?? null));
  }

  async deliveryChannels(): Promise<DeliveryChannels> {
    return readSetting<DeliveryChannels>(this.scope.db, CHANNELS, { email: false, reportedAt: null });
  }

  async reportChannels(channels: { email: boolean }, at: string): Promise<void> {
    await writeSetting(this.scope.db, CHANNELS, { email: channels.email, reportedAt: at }, at);
  }

  async listRecent(limit: number): Promise<NotificationRecord[]> {
    const rows = await this.scope.db.selectFrom('notifications').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(recordFrom);
  }

  // --- the sender's side -------------------------------------------------------------------------

  async claim(worker: string, now: string, leaseUntil: string, limit: number, channels: readonly NotificationChannel[]): Promise<NotificationRecord[]> {
    const skipLocked = this.scope.dialect === 'postgres';
    return atomically(this.scope, async (trx) => {
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

  async nextDue(channels: readonly NotificationChannel[]): Promise<string | null> {
    const row = await this.scope.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.min('available_at').as('next'))
      .where('status', 'in', DUE)
      .where('channel', 'in', [...channels])
      .executeTakeFirst();
    return row?.next ? iso(row.next as string) : null;
  }

  async settle(worker: string, ids: readonly string[], outcome: SettleOutcome, at: string): Promise<void> {
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
    await this.scope.db
      .updateTable('notifications')
      .set({ ...changes, claimed_by: null, updated_at: at })
      .where('id', 'in', [...ids])
      .where('claimed_by', '=', worker)
      .where('status', '=', sql.lit('in_flight'))
      .execute();
  }

  async glance(conversationIds: readonly string[]): Promise<Map<string, ConversationGlance>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.scope.db
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

  async longWaiting(handedOverBefore: string, limit: number): Promise<{ id: string; handedOverAt: string; title: string | null }[]> {
    const rows = await this.scope.db
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

  async prune(before: string): Promise<void> {
    await this.scope.db.deleteFrom('notifications').where('status', 'in', ['sent', 'dropped', 'dead']).where('created_at', '<', before).execute();
  }
}

function dueIds(db: Kysely<Schema>, now: string) {
  return db.selectFrom('notifications').select('id').where('status', 'in', DUE).where('available_at', '<=', now);
}

function recordFrom(row: Selectable<NotificationsTable>): NotificationRecord {
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

function parse(value: unknown): unknown {
  return value === null || value === undefined ? null : json<unknown>(value);
}

/** One spelling of a time (an aggregate may come back from PostgreSQL in its own). */
function iso(value: string | Date): string {
  return new Date(value).toISOString();
}
