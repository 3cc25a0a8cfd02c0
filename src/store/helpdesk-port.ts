/**
 * What Finch's own helpdesk needs beyond the Fin API's store: settings, and the fail-safe that
 * routes conversations to people when Fin cannot be reached. Implemented by the SQL store.
 */
import type { DeliveryState, FinSettings } from '../domain/fin-settings.js';
import type { Agent, AgentRole, Conversation, ConversationStatus, Visibility } from '../domain/model.js';
import type { OutboxWriter } from './outbox-port.js';
import type { RateLimitStore } from './rate-limit-port.js';
import type { AgentDirectory, FinStore, FinStoreWriter } from './port.js';

export interface SettingsStore {
  getFinSettings(): Promise<FinSettings>;
  putFinSettings(settings: FinSettings, at: string): Promise<void>;
  getDeliveryState(): Promise<DeliveryState>;
  /** Applies a change to the delivery state atomically (several dispatchers may report at once). */
  updateDeliveryState(change: (state: DeliveryState) => DeliveryState, at: string): Promise<DeliveryState>;
}

export interface FailSafeStore {
  /**
   * Fin has been unreachable since `since`: every open conversation the Fin agent holds that
   * changed since then, or has a sync event Fin has not received, goes to the human queue
   * (unassigned, `handoverReason` set), with a sync event so Fin learns of it once it is back.
   * Returns the ids of the conversations routed.
   */
  routeFinConversationsToPeople(since: string, reason: string, at: string): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// The helpdesk's conversations: what agents change (with the outbox in the same transaction) and
// the queues of the inbox.

export interface HelpdeskWriter extends FinStoreWriter, OutboxWriter {
  /** The conversations of an end-user that are still going on (open or resolved), newest first. */
  activeConversationIdsOfUser(userId: string): Promise<string[]>;
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
}

/** A position in a queue's order: the sort time and the id that breaks ties. */
export interface ConversationCursor {
  at: string;
  id: string;
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
}

export interface HelpdeskStore extends FinStore, AgentDirectory {
  transaction<T>(work: (tx: HelpdeskWriter) => Promise<T>): Promise<T>;
  /**
   * One page of a queue: `waiting` oldest wait first (by assignedAt), the others most recent
   * activity first (by updatedAt); ties broken by id.
   */
  listConversations(query: ConversationQuery): Promise<{ items: ConversationListItem[]; next: ConversationCursor | null }>;
  /** Open conversations per queue, as `viewerId` sees them. */
  countQueues(viewerId: string): Promise<QueueCounts>;
  /**
   * The inbox's live view: calls `onChange` with the ids of the conversations each committed write
   * changed (created, edited, assigned, a new message, Fin sync failed or recovered), whichever
   * process of the helpdesk made it, until the returned function is called. Resolves once changes
   * are being listened for. `onMissed` is called when some may have been missed (the store lost
   * its notifications for a while): the subscriber should read everything again.
   */
  subscribeToChanges(onChange: (conversationIds: string[]) => void, onMissed?: () => void): Promise<() => Promise<void>>;
}

// ---------------------------------------------------------------------------------------------
// Agents as accounts: sign-in, sessions, administration.

export interface SessionRecord {
  /** The agent signed in, as the agent is now (read with the session: every request needs both). */
  agent: Agent;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

export interface AgentChanges {
  name?: string;
  alias?: string | null;
  role?: AgentRole;
  active?: boolean;
  passwordHash?: string;
}

export interface AccountStore {
  /**
   * The agent with this email and its password hash. `email` is normalized (domain/auth/email.ts),
   * as every stored email is.
   */
  findCredentials(email: string): Promise<{ agent: Agent; passwordHash: string | null } | undefined>;
  /** The agent's password hash: null when it has none, undefined when there is no such agent. */
  passwordHashOf(agentId: string): Promise<string | null | undefined>;
  /**
   * Sets the agent's password hash if it is still `expected` (a password changed meanwhile is not
   * overwritten); `at` also marks the agent updated, absent for a rehash. False when it was not.
   */
  replacePasswordHash(agentId: string, expected: string, replacement: string, at?: string): Promise<boolean>;
  /** Counters shared by every Finch process on this data: sign-in and password attempts, token requests. */
  readonly rateLimits: RateLimitStore;
  /** Every agent, active or not, oldest first. */
  listAllAgents(): Promise<Agent[]>;
  updateAgent(id: string, changes: AgentChanges, at: string): Promise<Agent | undefined>;
  insertSession(session: { tokenHash: string; agentId: string; csrfToken: string; at: string; expiresAt: string }): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | undefined>;
  touchSession(tokenHash: string, at: string): Promise<void>;
  revokeSession(tokenHash: string, at: string): Promise<void>;
  /** Ends every session of the agent, except the one with `keepTokenHash` when given. */
  revokeSessionsOf(agentId: string, at: string, keepTokenHash?: string): Promise<void>;
}
