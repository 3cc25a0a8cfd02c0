/**
 * Notifications beyond the open tab (domain/notifications/): an outbox of their own, written in the
 * transaction of the change they tell of, then sent (email, the team's chat webhook) and retried;
 * each agent's choices; the chat webhook's settings.
 */
import type { ChatAttempt, ChatWebhookSettings } from '../domain/notifications/chat-webhook.js';
import type { NotificationPrefs } from '../domain/notifications/preferences.js';

export type NotificationChannel = 'email' | 'chat';

export interface NewNotification {
  channel: NotificationChannel;
  /** What happened: `handover`, `assigned`, `customer_reply`, `sla` (email); `waiting`, `sla_breached` (chat). */
  event: string;
  /** Names the event: one notification per event, channel and recipient. */
  eventKey: string;
  conversationId: string | null;
  /** The agent it is for (email). */
  agentId: string | null;
  /** An email address, or `CHAT_RECIPIENT` (the URL is read when sending). */
  recipient: string;
  payload: Record<string, unknown>;
  /** Not sent before (bursts are grouped). */
  availableAt: string;
  at: string;
}

export interface EmailSlot {
  pendingAt: string | null;
  sentAt: string | null;
}

/** An active person of the team who may be emailed, and what they chose. */
export interface EmailRecipient {
  agentId: string;
  name: string;
  email: string;
  prefs: NotificationPrefs;
}

export interface NotificationWriter {
  /** Queues them; one already queued for the same event, channel and recipient stays as it is. */
  enqueue(notifications: readonly NewNotification[]): Promise<void>;
  /** Every active human agent, with their email address and choices. */
  emailRecipients(): Promise<EmailRecipient[]>;
  /** Who holds each conversation (absent: nobody), by conversation id. */
  assigneesOf(conversationIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Each recipient's email so far, for grouping bursts: when their pending group goes (`pendingAt`,
   * the earliest pending email) and when their last email went (`sentAt`: sent, or being sent, after
   * `since`), by recipient.
   */
  emailSlots(recipients: readonly string[], since: string): Promise<Map<string, EmailSlot>>;
  chatWebhook(): Promise<ChatWebhookSettings>;
  setChatWebhook(settings: ChatWebhookSettings, at: string): Promise<void>;
  /** Records the last post to the webhook (null forgets it: the URL changed). */
  recordChatAttempt(attempt: ChatAttempt | null, at: string): Promise<void>;
  /** Each message's body (HTML as stored), by message id: the excerpt an email quotes is kept when it is queued. */
  messageBodies(messageIds: readonly string[]): Promise<Map<string, string>>;
  glance(conversationIds: readonly string[]): Promise<Map<string, ConversationGlance>>;
  setPreferences(agentId: string, prefs: NotificationPrefs, at: string): Promise<void>;
  preferencesOf(agentId: string): Promise<NotificationPrefs>;
  /** What the senders can deliver: no email is queued while none can send it. */
  deliveryChannels(): Promise<DeliveryChannels>;
}

/** A queued notification as stored: what was queued, and how its delivery went. */
export interface NotificationRecord extends Omit<NewNotification, 'at'> {
  id: string;
  status: 'pending' | 'in_flight' | 'sent' | 'dead' | 'dropped';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Whether a process that sends notifications could send email when it last started. */
export interface DeliveryChannels {
  email: boolean;
  /** When that process started; null: no sender has started yet. */
  reportedAt: string | null;
}

export interface NotificationReader {
  /** The most recent notifications, newest first. */
  listRecent(limit: number): Promise<NotificationRecord[]>;
  preferencesOf(agentId: string): Promise<NotificationPrefs>;
  chatWebhook(): Promise<ChatWebhookSettings>;
  /** The last post to the webhook; null: none since the URL was set. */
  chatAttempt(): Promise<ChatAttempt | null>;
  deliveryChannels(): Promise<DeliveryChannels>;
}

/** What one conversation looks like when its notification is sent (to drop what is no longer true, and to say what it is about). */
export interface ConversationGlance {
  id: string;
  status: string;
  assigneeId: string | null;
  title: string | null;
  customerName: string | null;
  /** The end-user's latest message as plain text (cut by the sender). */
  lastCustomerText: string | null;
}

/** The sender's side (src/notifications/): claims with a lease, then settles each claimed row. */
export interface NotificationOutbox {
  /**
   * Due notifications (pending, or in flight past a crashed sender's lease) become `worker`'s until
   * `leaseUntil`, attempts counted; with each claimed email, the recipient's other due emails, so
   * that a grouped burst is one claim. PostgreSQL: rows another sender is claiming are skipped.
   */
  claim(worker: string, now: string, leaseUntil: string, limit: number, channels: readonly NotificationChannel[]): Promise<NotificationRecord[]>;
  /** When the next pending notification of `channels` falls due (null: none pending), so the sender wakes for it. */
  nextDue(channels: readonly NotificationChannel[]): Promise<string | null>;
  /** Settles claimed rows (still `worker`'s); rows whose claim was lost are left alone. */
  settle(worker: string, ids: readonly string[], outcome: SettleOutcome, at: string): Promise<void>;
  glance(conversationIds: readonly string[]): Promise<Map<string, ConversationGlance>>;
  /** Every active human agent and their choices now (`when_away` and `never` are judged when sending). */
  emailRecipients(): Promise<EmailRecipient[]>;
  chatWebhook(): Promise<ChatWebhookSettings>;
  recordChatAttempt(attempt: ChatAttempt | null, at: string): Promise<void>;
  /** Records what this sender can deliver (GET /me/notifications says whether email is on). */
  reportChannels(channels: { email: boolean }, at: string): Promise<void>;
  /** Conversations waiting (open, nobody assigned) since `handedOverBefore` or earlier, oldest first. */
  longWaiting(handedOverBefore: string, limit: number): Promise<{ id: string; handedOverAt: string; title: string | null }[]>;
  enqueue(notifications: readonly NewNotification[]): Promise<void>;
  /**
   * Calls `wake` once notifications queued in this process are committed, until the returned
   * function is called. Other processes' are found by polling (docs/decisions.md, "Notifications").
   */
  onQueued(wake: () => void): () => void;
  /** Deletes settled notifications created before `before`. */
  prune(before: string): Promise<void>;
}

export type SettleOutcome =
  | { status: 'sent' }
  | { status: 'dropped'; reason: string }
  | { status: 'retry'; error: string; availableAt: string }
  | { status: 'dead'; error: string };
