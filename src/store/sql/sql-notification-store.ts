/** Notifications over SQL: `notifications` (migrations/0013_notifications.ts). */
import { newId } from '../../domain/ids.js';
import type { NewNotification, NotificationReader, NotificationRecord, NotificationWriter } from '../notification-port.js';
import type { SqlScope } from './database.js';

export class SqlNotificationStore implements NotificationWriter, NotificationReader {
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

  async listRecent(limit: number): Promise<NotificationRecord[]> {
    const rows = await this.scope.db.selectFrom('notifications').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      id: row.id,
      channel: row.channel,
      event: row.event,
      conversationId: row.conversation_id,
      agentId: row.agent_id,
      recipient: row.recipient,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at,
      sentAt: row.sent_at,
    }));
  }
}
