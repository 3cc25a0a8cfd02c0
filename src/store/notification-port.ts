/**
 * Notifications beyond the open tab (domain/notifications/): an outbox of their own, written in the
 * transaction of the change they tell of, then sent (email, the team's chat webhook) and retried.
 */

export interface NewNotification {
  channel: 'email' | 'chat';
  /** What happened: `handover`, `assigned`, `customer_reply`, `sla`, ... */
  event: string;
  /** Names the event: one notification per event, channel and recipient. */
  eventKey: string;
  conversationId: string | null;
  /** The agent it is for (email). */
  agentId: string | null;
  /** An email address, or the chat webhook. */
  recipient: string;
  payload: Record<string, unknown>;
  /** Not sent before (bursts are grouped). */
  availableAt: string;
  at: string;
}

export interface NotificationWriter {
  /** Queues them; one already queued for the same event, channel and recipient stays as it is. */
  enqueue(notifications: readonly NewNotification[]): Promise<void>;
}

export interface NotificationRecord {
  id: string;
  channel: 'email' | 'chat';
  event: string;
  conversationId: string | null;
  agentId: string | null;
  recipient: string;
  status: 'pending' | 'in_flight' | 'sent' | 'dead' | 'dropped';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface NotificationReader {
  /** The most recent notifications, newest first. */
  listRecent(limit: number): Promise<NotificationRecord[]>;
}
