/**
 * The store port: everything the Fin API needs from a helpdesk's data, and nothing about how it is
 * kept. Finch's SQL store implements it over SQLite and PostgreSQL; `MemoryFinStore` implements it
 * in a few hundred lines and is the example to copy when putting Fin on another helpdesk.
 *
 * The rules of the contract (merging attributes, human takeover, idempotency, sanitizing) live in
 * the domain, not here: a store only keeps and returns records, atomically.
 */
import type { Agent, AgentRole, Attachment, Attributes, Conversation, ConversationStatus, EndUser, Message, PeopleEdits, Visibility } from '../domain/model.js';

/** The result of an insert that is idempotent by `objectId` (or by a caller-given id). */
export interface Inserted<T> {
  value: T;
  /** false when a record with the same objectId (or id) already existed and is returned instead. */
  created: boolean;
}

export interface NewEndUser {
  /** A caller-chosen id (Fin may name the user); otherwise the store assigns one. */
  id?: string;
  objectId: string | null;
  name: string | null;
  email: string | null;
  photoUrl: string | null;
  attributes: Attributes;
  at: string;
}

/** Fields to overwrite; absent fields stay as they are. Values are final (already merged). */
export interface EndUserChanges {
  name?: string | null;
  email?: string | null;
  photoUrl?: string | null;
  attributes?: Attributes;
}

export interface NewConversation {
  objectId: string | null;
  userId: string;
  assigneeId: string | null;
  status: ConversationStatus;
  title: string | null;
  tags: string[];
  attributes: Attributes;
  at: string;
}

export interface ConversationChanges {
  status?: ConversationStatus;
  assigneeId?: string | null;
  title?: string | null;
  tags?: string[];
  attributes?: Attributes;
  lastUserReadAt?: string | null;
  handoverReason?: string | null;
  unreadAt?: string | null;
  peopleEdits?: PeopleEdits | null;
  handedOverAt?: string | null;
  replyDueAt?: string | null;
  resolveDueAt?: string | null;
  slaBreachedAt?: string | null;
}

export interface NewMessage {
  objectId: string | null;
  conversationId: string;
  body: string | null;
  author: { type: 'end_user' | 'agent'; id: string };
  visibility: Visibility;
  attachments: Attachment[];
  createdAt: string;
}

export interface FinStoreReader {
  findUser(id: string): Promise<EndUser | undefined>;
  /** An agent by id, active or not. */
  findAgent(id: string): Promise<Agent | undefined>;
  /** Active agents, oldest first. */
  listAgents(): Promise<Agent[]>;
  /** The agent that represents Fin. A store always has one. */
  findFinAgent(): Promise<Agent>;
  findConversation(id: string): Promise<Conversation | undefined>;
  /**
   * The conversation's messages oldest first (by createdAt, ties broken by id). With `afterId`,
   * only those that come after that message; when `afterId` matches no message of the
   * conversation, all of them. `undefined` when there is no such conversation.
   */
  listMessages(conversationId: string, afterId?: string): Promise<Message[] | undefined>;
  /** The message a conversation was created with (its first). */
  findFirstMessage(conversationId: string): Promise<Message | undefined>;
}

export interface FinStoreWriter extends FinStoreReader {
  /** Reads a conversation and keeps concurrent writers off it until the transaction ends. */
  lockConversation(id: string): Promise<Conversation | undefined>;
  /** Reads an end-user and keeps concurrent writers off it until the transaction ends. */
  lockUser(id: string): Promise<EndUser | undefined>;
  /** Inserts unless a user with the same id or objectId exists; then returns that one. */
  insertUser(user: NewEndUser): Promise<Inserted<EndUser>>;
  updateUser(id: string, changes: EndUserChanges, at: string): Promise<EndUser>;
  /** Inserts unless a conversation with the same objectId exists; then returns that one. */
  insertConversation(conversation: NewConversation): Promise<Inserted<Conversation>>;
  /** Applies the changes and sets updatedAt to `at` (also when `changes` is empty). */
  updateConversation(id: string, changes: ConversationChanges, at: string): Promise<Conversation>;
  /** Inserts unless a message with the same objectId exists; then returns that one. */
  insertMessage(message: NewMessage): Promise<Inserted<Message>>;
  /**
   * Writes only the conversation's `peopleEdits` (what Fin has read): `updatedAt` stays and
   * nobody is told, since nothing anyone sees changed.
   */
  writePeopleEdits(id: string, edits: PeopleEdits | null): Promise<void>;
  /**
   * Fin must pull this conversation again (the helpdesk changed it, or refused part of Fin's
   * update): a sync event in this transaction. A store without an outbox may keep a list or do
   * nothing; Fin then learns at its next sync.
   */
  enqueueSync(conversationId: string, at: string): Promise<void>;
}

export interface FinStore extends FinStoreReader {
  /**
   * Runs `work` atomically: all of its writes are kept, or (when it throws) none is. Two
   * transactions never see each other's uncommitted writes, and inserts that conflict on objectId
   * resolve to one winner.
   */
  transaction<T>(work: (tx: FinStoreWriter) => Promise<T>): Promise<T>;
  /**
   * Optional: the store's version now (`StoreVersion`), read cheaply and synchronously. When a
   * store has it, or its credential store gives one with each token, the Fin API keeps its answers
   * to get_conversation and get_messages while it stays the same; `undefined` (or neither) keeps
   * nothing.
   */
  version?(): StoreVersion | undefined;
}

// ---------------------------------------------------------------------------------------------
// Credentials: who may call the Fin API. Kept apart from FinStore so an integrator can put Fin's
// data on their helpdesk while authenticating Fin however they like.

export interface OAuthClient {
  id: string;
  name: string;
  secretHash: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AccessTokenRecord {
  clientId: string;
  expiresAt: string;
  /** Revoked with its client. */
  revoked: boolean;
  /** The store's version as the token was read, when the store can tell. */
  version?: StoreVersion;
}

/**
 * A value that moves whenever anything is committed to a store, by anyone: two equal values mean
 * nothing was committed between the two reads. Finch's SQLite store reads it from SQLite's counters
 * (store/sql/store-version.ts), its PostgreSQL store with the token, in the same statement
 * (`pg_current_snapshot()` with the server's start time). The Fin API keeps its answers under it (docs/decisions.md, "Answers kept
 * while nothing changed").
 */
export type StoreVersion = string;

export type ApiTokenScope = 'fin' | 'agent';

export interface ApiTokenRecord {
  id: string;
  name: string;
  scope: ApiTokenScope;
  /** The agent a personal (`agent`) token acts as. */
  agentId: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * A token found by its hash. `agent`: the agent a personal token acts as, when the store reads it
 * with the token (null when the token has none); absent when it does not, and the caller reads it.
 */
export interface FoundApiToken extends ApiTokenRecord {
  agent?: Agent | null;
  /** The store's version as the token was read, when the store can tell. */
  version?: StoreVersion;
}

export interface CredentialStore {
  insertClient(client: { id: string; name: string; secretHash: string; at: string }): Promise<void>;
  findClient(id: string): Promise<OAuthClient | undefined>;
  listClients(): Promise<OAuthClient[]>;
  /** Revokes the client and, with it, every token it was issued. Returns false when unknown. */
  revokeClient(id: string, at: string): Promise<boolean>;

  insertAccessToken(token: { tokenHash: string; clientId: string; expiresAt: string; at: string }): Promise<void>;
  findAccessToken(tokenHash: string): Promise<AccessTokenRecord | undefined>;
  deleteAccessTokensExpiredBefore(at: string): Promise<void>;

  insertApiToken(token: { id: string; name: string; tokenHash: string; scope: ApiTokenScope; agentId: string | null; at: string }): Promise<void>;
  findApiToken(tokenHash: string): Promise<FoundApiToken | undefined>;
  listApiTokens(): Promise<ApiTokenRecord[]>;
  revokeApiToken(id: string, at: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Agents as accounts: what Finch's own tools (CLI, first start) need beyond the Fin API.

export interface NewAgent {
  name: string;
  email: string;
  alias: string | null;
  photoUrl: string | null;
  role: AgentRole;
  isFin: boolean;
  passwordHash: string | null;
  at: string;
}

export interface AgentDirectory {
  /** Inserts an agent; fails with `EmailTakenError` when the email is in use. */
  insertAgent(agent: NewAgent): Promise<Agent>;
  findAgentByEmail(email: string): Promise<Agent | undefined>;
  /** Creates the Fin agent unless one exists; returns it either way. */
  ensureFinAgent(at: string): Promise<Agent>;
}

export class EmailTakenError extends Error {
  constructor(email: string) {
    super(`an agent with the email ${email} already exists`);
    this.name = 'EmailTakenError';
  }
}

/**
 * The database cannot serve the request right now, through no fault of the request: it is
 * unreachable or restarting (connection refused or lost, PostgreSQL shutting down or starting up,
 * no free connection in time), or it refuses writes (a full disk, a read-only file, an I/O error,
 * a lock held past the busy timeout). Any store method may throw it; the HTTP edge answers 503
 * with `Retry-After: retryAfterSeconds`, and a caller may simply try again later. `cause` is the
 * driver's error, for the log.
 */
export class DatabaseUnavailableError extends Error {
  /**
   * `unreachable`: it cannot be reached or is restarting; `refusing_writes`: full disk, read-only,
   * I/O error; `busy`: another process held the write lock too long.
   */
  readonly reason: 'unreachable' | 'refusing_writes' | 'busy';

  constructor(
    message: string,
    /** Seconds after which trying again is sensible. */
    readonly retryAfterSeconds: number,
    options: { cause?: unknown; reason?: DatabaseUnavailableError['reason'] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DatabaseUnavailableError';
    this.reason = options.reason ?? 'unreachable';
  }
}
