/**
 * Notifications over SQL: `notifications`, `agents.notification_prefs` (migrations/0013_notifications.ts)
 * and two `settings` rows: `chat_webhook` (the team's chat webhook) and `notification_channels`
 * (what the last sender to start could deliver).
 *
 * Senders in several processes share the table like the outbox's dispatchers; their queries (claim,
 * settle, what a claimed row is judged by) are in sql-notification-sending.ts.
 */
import { sql } from 'kysely';
import { newId } from '../../domain/ids.js';
import { NO_CHAT_WEBHOOK, type ChatAttempt, type ChatWebhookSettings } from '../../domain/notifications/chat-webhook.js';
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
import type { SqlScope } from './database.js';
import { claimDue, glanceAt, iso, nextDueAt, recordFrom, settleClaimed, waitingSince } from './sql-notification-sending.js';
import { json } from './rows.js';
import { readSetting, writeSetting } from './sql-settings-store.js';

const CHAT_WEBHOOK = 'chat_webhook';
const CHANNELS = 'notification_channels';
const CHAT_ATTEMPT = 'chat_webhook_attempt';

export class SqlNotificationStore implements NotificationWriter, NotificationReader, NotificationOutbox {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async enqueue(notifications: readonly NewNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    const result = await this.scope.db
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
      .executeTakeFirst();
    // Only rows actually queued wake a sender; in a transaction, once it commits. (So this insert
    // is never a held statement on PostgreSQL: a held one answers without a row count.)
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return;
    if ('notes' in this.scope) this.scope.notes.notificationsQueued = true;
    else this.scope.changes.notificationsQueued();
  }

  onQueued(wake: () => void): () => void {
    // A transaction's commit is told by its database's feed: a sender listens there.
    if ('notes' in this.scope) throw new Error('listen for queued notifications on the database, not in a transaction');
    return this.scope.changes.onNotificationsQueued(wake);
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

  async chatAttempt(): Promise<ChatAttempt | null> {
    return (await readSetting<{ last: ChatAttempt | null }>(this.scope.db, CHAT_ATTEMPT, { last: null })).last;
  }

  async recordChatAttempt(attempt: ChatAttempt | null, at: string): Promise<void> {
    await writeSetting(this.scope.db, CHAT_ATTEMPT, { last: attempt }, at);
  }

  async messageBodies(messageIds: readonly string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.scope.db
      .selectFrom('messages')
      .select(['id', 'body'])
      .where('id', 'in', [...messageIds])
      .execute();
    return new Map(rows.map((row) => [row.id, row.body ?? '']));
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

  claim(worker: string, now: string, leaseUntil: string, limit: number, channels: readonly NotificationChannel[]): Promise<NotificationRecord[]> {
    return claimDue(this.scope, worker, now, leaseUntil, limit, channels);
  }

  nextDue(channels: readonly NotificationChannel[]): Promise<string | null> {
    return nextDueAt(this.scope, channels);
  }

  settle(worker: string, ids: readonly string[], outcome: SettleOutcome, at: string): Promise<void> {
    return settleClaimed(this.scope, worker, ids, outcome, at);
  }

  glance(conversationIds: readonly string[]): Promise<Map<string, ConversationGlance>> {
    return glanceAt(this.scope, conversationIds);
  }

  longWaiting(handedOverBefore: string, limit: number): Promise<{ id: string; handedOverAt: string; title: string | null }[]> {
    return waitingSince(this.scope, handedOverBefore, limit);
  }

  async prune(before: string): Promise<void> {
    await this.scope.db.deleteFrom('notifications').where('status', 'in', ['sent', 'dropped', 'dead']).where('created_at', '<', before).execute();
  }
}

function parse(value: unknown): unknown {
  return value === null || value === undefined ? null : json<unknown>(value);
}
