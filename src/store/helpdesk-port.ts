/**
 * What Finch's own helpdesk needs beyond the Fin API's store: settings, the fail-safe that routes
 * conversations to people when Fin cannot be reached, the inbox's queues, and the unit of work
 * every helpdesk use case writes through (`HelpdeskTransaction`, `UnitOfWork`). Implemented by
 * the SQL store.
 */
import type { DeliveryState, FinSettings } from '../domain/fin-settings.js';
import type { Conversation, ConversationStatus, EndUser, Message, Visibility } from '../domain/model.js';
import type { AccountWriter } from './account-port.js';
import type { ActivityWriter } from './activity-port.js';
import type { CannedReplyStore } from './canned-reply-port.js';
import type { FileStore } from './file-port.js';
import type { NotificationWriter } from './notification-port.js';
import type { PresenceStore } from './presence-port.js';
import type { RoutingStore } from './routing-port.js';
import type { SlaStore } from './sla-port.js';
import type { OutboxStore, OutboxWriter } from './outbox-port.js';
import type { AgentDirectory, CredentialStore, FinStore, FinStoreWriter } from './port.js';

export interface SettingsStore {
  getFinSettings(): Promise<FinSettings>;
  putFinSettings(settings: FinSettings, at: string): Promise<void>;
  getDeliveryState(): Promise<DeliveryState>;
  /** Applies a change to the delivery state atomically (several dispatchers may report at once). */
  updateDeliveryState(change: (state: DeliveryState) => DeliveryState, at: string): Promise<DeliveryState>;
}

export interface FailSafeStore {
  /**
   * Fin has been unreachable since `since`: the open conversations the Fin agent holds that
   * changed since then, or have a sync event Fin has not received, by id (sorted). The fail-safe
   * hands them to people (domain/fin-unreachable.ts), a batch per unit of work.
   */
  finConversationsToRoute(since: string): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// The helpdesk's conversations: what agents change (with the outbox in the same transaction) and
// the queues of the inbox.

export interface HelpdeskWriter extends FinStoreWriter, OutboxWriter {
  /** The conversations of an end-user that are still going on (open or resolved), newest first. */
  activeConversationIdsOfUser(userId: string): Promise<string[]>;
  /** The open conversations assigned to the agent, oldest first (by id). */
  openConversationIdsOf(agentId: string): Promise<string[]>;
  /**
   * Clears the conversation's unread marker (`unreadAt`) without moving `updatedAt`; the inbox is
   * told when there was one. Returns whether there was.
   */
  clearUnread(conversationId: string): Promise<boolean>;
  /**
   * Whether, after `messageId` in the conversation's thread (by createdAt, ties broken by id), an
   * agent other than `agentId` wrote a public message; `undefined` when `messageId` is no message of
   * that conversation. One indexed read that stops at the first such message.
   */
  repliedSince(conversationId: string, messageId: string, agentId: string): Promise<boolean | undefined>;
  /**
   * The newest `limit` messages after `messageId` in the conversation's thread, oldest first;
   * `undefined` when `messageId` is no message of that conversation.
   */
  listMessagesSince(conversationId: string, messageId: string, limit: number): Promise<Message[] | undefined>;
}

/** Where a message stands in its thread, whose order is createdAt, then id. */
export interface MessagePosition {
  createdAt: string;
  id: string;
}

/** A page of a thread, oldest first; `hasOlder`: messages come before the first one. */
export interface ThreadPage {
  messages: Message[];
  hasOlder: boolean;
}

export type QueueName = 'waiting' | 'mine' | 'fin' | 'others' | 'all';

export interface ConversationQuery {
  /** The agent looking: `mine` and `others` are relative to them. */
  viewerId: string;
  queue: QueueName;
  status?: ConversationStatus | undefined;
  tag?: string | undefined;
  /** Words that must all appear (as words or word prefixes) in the title or a message. */
  words?: string[] | undefined;
  limit: number;
  /** Where the previous page ended. */
  after?: ConversationCursor | undefined;
  /**
   * `due`: by `replyDueAt`, soonest (most overdue) first, then those without one by waiting time
   * (`assignedAt`, oldest first); ties broken by id. Otherwise the queue's own order.
   */
  sort?: 'default' | 'due' | undefined;
}

/**
 * A position in a queue's order: the sort time and the id that breaks ties. In the `due` order,
 * `due` says whether `at` is a due time (true) or, past every conversation with one, a waiting
 * time (false).
 */
export interface ConversationCursor {
  at: string;
  id: string;
  due?: boolean | undefined;
}

export interface LastMessage {
  authorType: 'end_user' | 'agent';
  visibility: Visibility;
  body: string | null;
  createdAt: string;
}

export interface ConversationListItem {
  conversation: Conversation;
  lastMessage: LastMessage | null;
}

export interface QueueCounts {
  waiting: number;
  mine: number;
  fin: number;
  others: number;
  all: number;
  /** Of `mine`: those with an unread end-user message (`unreadAt` set). */
  unread: number;
}

/**
 * The helpdesk's unit of work: what one transaction may write, every store's writes in it, so a
 * change, its outbox event (and its audit row) commit together or not at all. The conversation
 * writer and the outbox are the handle itself (it is a `FinStoreWriter`, so the Fin API's
 * `FinStore.transaction` is served by the same store); the other features hang off it. Reads
 * through the handle see the transaction's own writes. Any method may throw the port's
 * `DatabaseUnavailableError`; the transaction then writes nothing.
 */
export interface HelpdeskTransaction extends HelpdeskWriter {
  /** Agents, their passwords and sessions. */
  readonly accounts: AccountWriter;
  /** API tokens and OAuth clients. (The token endpoint's access tokens commit on their own: one insert per grant.) */
  readonly credentials: Pick<CredentialStore, 'insertClient' | 'findClient' | 'revokeClient' | 'insertApiToken' | 'listApiTokens' | 'revokeApiToken'>;
  /**
   * Fin's settings and the delivery state: `getFinSettings` here keeps concurrent savers off the
   * settings until the transaction ends (PostgreSQL: the row FOR UPDATE), and `updateDeliveryState`
   * runs inside this transaction.
   */
  readonly settings: SettingsStore;
  readonly cannedReplies: CannedReplyStore;
  readonly files: Pick<FileStore, 'saveFile'>;
  /** The delivery log's replays (an admin's); the dispatcher's own bookkeeping commits on its own. */
  readonly deliveries: Pick<OutboxStore, 'findDelivery' | 'replayEvent' | 'replayDead'>;
  /** Conversations' activity (domain/activity/): append through `recordActivity`, which adds what the events mean. */
  readonly activity: ActivityWriter;
  /** Who is around (domain/presence/), as this transaction sees it. */
  readonly presence: PresenceStore;
  /** Automatic assignment's settings and data (domain/routing/). */
  readonly routing: RoutingStore;
  /** Business hours and SLA targets (domain/sla/). */
  readonly sla: SlaStore;
  /** Notifications to queue (domain/notifications/). */
  readonly notifications: NotificationWriter;
}

/** One unit of work: `work` runs in one transaction (see `HelpdeskTransaction`). */
export interface UnitOfWork {
  /**
   * All of `work`'s writes are kept, or (when it throws) none is; the error is rethrown. SQL: one
   * database transaction (SQLite `BEGIN IMMEDIATE`, so write transactions take turns; PostgreSQL
   * READ COMMITTED with row locks where a rule reads before it writes: `lockConversation`,
   * `lockUser`, `accounts.lockAgent`, `accounts.countActiveAdmins`).
   */
  transaction<T>(work: (tx: HelpdeskTransaction) => Promise<T>): Promise<T>;
}

export interface HelpdeskStore extends FinStore, AgentDirectory, UnitOfWork {
  transaction<T>(work: (tx: HelpdeskTransaction) => Promise<T>): Promise<T>;
  /**
   * One page of a queue: `waiting` oldest wait first (by assignedAt), the others most recent
   * activity first (by updatedAt); ties broken by id.
   */
  listConversations(query: ConversationQuery): Promise<{ items: ConversationListItem[]; next: ConversationCursor | null }>;
  /** Open conversations per queue, as `viewerId` sees them. */
  countQueues(viewerId: string): Promise<QueueCounts>;
  /**
   * One page of a thread read from its newest end: up to `limit` messages that come before
   * `before` (or the newest, when null), oldest first, and whether older ones exist. Reads only
   * the page, however long the thread. `undefined` when there is no such conversation. `user`: the
   * conversation's end-user, when the caller has read the conversation (it is then not read again).
   */
  listThreadPage(conversationId: string, before: MessagePosition | null, limit: number, user?: EndUser): Promise<ThreadPage | undefined>;
  /** How many messages the conversation has, private notes included (an index range count). */
  countMessages(conversationId: string): Promise<number>;
  /**
   * The inbox's live view: calls `onChange` with the ids of the conversations each committed write
   * changed (created, edited, assigned, a new message, Fin sync failed or recovered), whichever
   * process of the helpdesk made it, until the returned function is called. Resolves once changes
   * are being listened for. `onMissed` is called when some may have been missed (the store lost
   * its notifications for a while): the subscriber should read everything again.
   */
  subscribeToChanges(onChange: (conversationIds: string[]) => void, onMissed?: () => void): Promise<() => Promise<void>>;

  /**
   * As `subscribeToChanges`, for routing: `onChange` only after a change that created a
   * conversation or wrote its status or assignee, the only changes that can make one wait for a
   * person or free someone's capacity. `onMissed` as there.
   */
  subscribeToRoutingChanges(onChange: () => void, onMissed: () => void): Promise<() => Promise<void>>;
}
