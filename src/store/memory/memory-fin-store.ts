/**
 * An in-memory implementation of the store port. It proves that the Fin API needs nothing but the
 * port, runs through the same contract tests as the SQL store, and is the example to copy when
 * putting Fin on another helpdesk: replace each Map with calls to your own system.
 *
 * Transactions are serialized by one lock (reads take it too, so nobody sees a half-done
 * transaction) and undone from a journal when they throw.
 */
import type { Agent, Attachment, Attributes, Conversation, ConversationStatus, EndUser, Message, PeopleEdits, Visibility } from '../../domain/model.js';
import { newId } from '../../domain/ids.js';
import {
  EmailTakenError,
  type AgentDirectory,
  type ConversationChanges,
  type EndUserChanges,
  type FinStore,
  type FinStoreWriter,
  type Inserted,
  type NewAgent,
  type NewConversation,
  type NewEndUser,
  type NewMessage,
} from '../port.js';
import { Mutex } from '../../lib/mutex.js';

interface ConversationRow {
  id: string;
  objectId: string | null;
  status: ConversationStatus;
  userId: string;
  assigneeId: string | null;
  title: string | null;
  tags: string[];
  attributes: Attributes;
  lastUserReadAt: string | null;
  assignedAt: string;
  finSyncFailedAt: string | null;
  handoverReason: string | null;
  unreadAt: string | null;
  peopleEdits: PeopleEdits | null;
  handedOverAt: string | null;
  replyDueAt: string | null;
  resolveDueAt: string | null;
  slaBreachedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface MessageRow {
  id: string;
  objectId: string | null;
  conversationId: string;
  body: string | null;
  author: { type: 'end_user' | 'agent'; id: string };
  visibility: Visibility;
  attachments: Attachment[];
  createdAt: string;
}

const FIN_AGENT = { name: 'Fin', email: 'fin@finch.invalid' } as const;

export class MemoryFinStore implements FinStore, AgentDirectory {
  private readonly users = new Map<string, EndUser>();
  private readonly agents = new Map<string, Agent>();
  private readonly conversations = new Map<string, ConversationRow>();
  private readonly messages = new Map<string, MessageRow>();
  /** Each conversation's messages, kept in (createdAt, id) order. */
  private readonly thread = new Map<string, MessageRow[]>();
  private readonly byObjectId = {
    user: new Map<string, string>(),
    conversation: new Map<string, string>(),
    message: new Map<string, string>(),
  };
  /**
   * The conversations Fin was asked to pull again (`enqueueSync`), oldest first. This store has no
   * outbox: a helpdesk built on it tells Fin from here (or Fin learns at its next sync).
   */
  readonly syncRequests: { conversationId: string; at: string }[] = [];
  private readonly lock = new Mutex();
  private journal: (() => void)[] | null = null;

  constructor(now: Date = new Date()) {
    this.ensureFinAgentNow(now.toISOString());
  }

  // --- FinStore ------------------------------------------------------------------------------

  async transaction<T>(work: (tx: FinStoreWriter) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const journal: (() => void)[] = [];
      this.journal = journal;
      try {
        return await work(this.writer);
      } catch (error) {
        for (const undo of journal.reverse()) undo();
        throw error;
      } finally {
        this.journal = null;
      }
    });
  }

  findUser = (id: string) => this.lock.run(async () => this.users.get(id));
  findAgent = (id: string) => this.lock.run(async () => this.agents.get(id));
  listAgents = () => this.lock.run(async () => this.activeAgents());
  findFinAgent = () => this.lock.run(async () => this.finAgent());
  findConversation = (id: string) => this.lock.run(async () => this.conversation(id));
  listMessages = (conversationId: string, afterId?: string) => this.lock.run(async () => this.messagesOf(conversationId, afterId));
  findFirstMessage = (conversationId: string) => this.lock.run(async () => this.firstMessage(conversationId));

  // --- inside a transaction (the lock is held) ------------------------------------------------

  private readonly writer: FinStoreWriter = {
    findUser: async (id) => this.users.get(id),
    findAgent: async (id) => this.agents.get(id),
    listAgents: async () => this.activeAgents(),
    findFinAgent: async () => this.finAgent(),
    findConversation: async (id) => this.conversation(id),
    listMessages: async (conversationId, afterId) => this.messagesOf(conversationId, afterId),
    findFirstMessage: async (conversationId) => this.firstMessage(conversationId),
    lockConversation: async (id) => this.conversation(id),
    lockUser: async (id) => this.users.get(id),
    insertUser: async (user) => this.insertUser(user),
    updateUser: async (id, changes, at) => this.updateUser(id, changes, at),
    insertConversation: async (conversation) => this.insertConversation(conversation),
    updateConversation: async (id, changes, at) => this.updateConversation(id, changes, at),
    insertMessage: async (message) => this.insertMessage(message),
    writePeopleEdits: async (id, edits) => {
      this.put(this.conversations, id, { ...this.required(this.conversations, id), peopleEdits: edits });
    },
    enqueueSync: async (conversationId, at) => {
      this.syncRequests.push({ conversationId, at });
      this.journal?.push(() => void this.syncRequests.pop());
    },
  };

  private insertUser(input: NewEndUser): Inserted<EndUser> {
    const existingId = input.id ?? (input.objectId === null ? undefined : this.byObjectId.user.get(input.objectId));
    const existing = existingId === undefined ? undefined : this.users.get(existingId);
    if (existing) return { value: existing, created: false };
    const user: EndUser = {
      id: input.id ?? newId('user'),
      objectId: input.objectId,
      name: input.name,
      email: input.email,
      photoUrl: input.photoUrl,
      attributes: input.attributes,
      createdAt: input.at,
      updatedAt: input.at,
    };
    this.put(this.users, user.id, user);
    if (user.objectId !== null) this.put(this.byObjectId.user, user.objectId, user.id);
    return { value: user, created: true };
  }

  private updateUser(id: string, changes: EndUserChanges, at: string): EndUser {
    const user = this.required(this.users, id);
    const updated = { ...user, ...changes, updatedAt: at };
    this.put(this.users, id, updated);
    return updated;
  }

  private insertConversation(input: NewConversation): Inserted<Conversation> {
    const existingId = input.objectId === null ? undefined : this.byObjectId.conversation.get(input.objectId);
    if (existingId !== undefined) return { value: this.conversation(existingId)!, created: false };
    const row: ConversationRow = {
      id: newId('conv'),
      objectId: input.objectId,
      status: input.status,
      userId: this.required(this.users, input.userId).id,
      assigneeId: input.assigneeId === null ? null : this.required(this.agents, input.assigneeId).id,
      title: input.title,
      tags: input.tags,
      attributes: input.attributes,
      lastUserReadAt: null,
      assignedAt: input.at,
      finSyncFailedAt: null,
      handoverReason: null,
      unreadAt: null,
      peopleEdits: null,
      handedOverAt: null,
      replyDueAt: null,
      resolveDueAt: null,
      slaBreachedAt: null,
      createdAt: input.at,
      updatedAt: input.at,
    };
    this.put(this.conversations, row.id, row);
    this.put(this.thread, row.id, []);
    if (row.objectId !== null) this.put(this.byObjectId.conversation, row.objectId, row.id);
    return { value: this.conversation(row.id)!, created: true };
  }

  private updateConversation(id: string, changes: ConversationChanges, at: string): Conversation {
    const row = this.required(this.conversations, id);
    if (changes.assigneeId) this.required(this.agents, changes.assigneeId);
    const assignment = changes.assigneeId === undefined ? {} : { assignedAt: at };
    this.put(this.conversations, id, { ...row, ...changes, ...assignment, updatedAt: at });
    return this.conversation(id)!;
  }

  private insertMessage(input: NewMessage): Inserted<Message> {
    const existingId = input.objectId === null ? undefined : this.byObjectId.message.get(input.objectId);
    if (existingId !== undefined) return { value: this.message(this.messages.get(existingId)!), created: false };
    const thread = this.required(this.thread, input.conversationId);
    const row: MessageRow = { ...input, id: newId('msg') };
    this.put(this.messages, row.id, row);
    const sorted = [...thread, row].sort(byTimeThenId);
    this.put(this.thread, input.conversationId, sorted);
    if (row.objectId !== null) this.put(this.byObjectId.message, row.objectId, row.id);
    return { value: this.message(row), created: true };
  }

  // --- AgentDirectory --------------------------------------------------------------------------

  insertAgent = (input: NewAgent) =>
    this.lock.run(async () => {
      const email = input.email.toLowerCase();
      if ([...this.agents.values()].some((agent) => agent.email.toLowerCase() === email)) throw new EmailTakenError(input.email);
      const agent: Agent = {
        id: newId('agent'),
        name: input.name,
        email: input.email,
        alias: input.alias,
        photoUrl: input.photoUrl,
        role: input.role,
        isFin: input.isFin,
        active: true,
        createdAt: input.at,
        updatedAt: input.at,
      };
      this.agents.set(agent.id, agent);
      return agent;
    });

  findAgentByEmail = (email: string) => this.lock.run(async () => [...this.agents.values()].find((agent) => agent.email.toLowerCase() === email.toLowerCase()));

  ensureFinAgent = (at: string) => this.lock.run(async () => this.ensureFinAgentNow(at));

  /** For tests and seeding: deactivates an agent (it stays on its messages). */
  deactivateAgent = (id: string, at: string) =>
    this.lock.run(async () => {
      const agent = this.required(this.agents, id);
      this.agents.set(id, { ...agent, active: false, updatedAt: at });
    });

  // --- reading rows as domain objects ----------------------------------------------------------

  private ensureFinAgentNow(at: string): Agent {
    const existing = [...this.agents.values()].find((agent) => agent.isFin);
    if (existing) return existing;
    const fin: Agent = {
      id: newId('agent'),
      ...FIN_AGENT,
      alias: null,
      photoUrl: null,
      role: 'agent',
      isFin: true,
      active: true,
      createdAt: at,
      updatedAt: at,
    };
    this.agents.set(fin.id, fin);
    return fin;
  }

  private finAgent(): Agent {
    const fin = [...this.agents.values()].find((agent) => agent.isFin);
    if (!fin) throw new Error('the store has no Fin agent');
    return fin;
  }

  private activeAgents(): Agent[] {
    return [...this.agents.values()].filter((agent) => agent.active).sort((a, b) => byTimeThenId(a, b));
  }

  private conversation(id: string): Conversation | undefined {
    const row = this.conversations.get(id);
    if (!row) return undefined;
    const { userId, assigneeId, ...rest } = row;
    return {
      ...rest,
      user: this.required(this.users, userId),
      assignee: assigneeId === null ? null : this.required(this.agents, assigneeId),
    };
  }

  private messagesOf(conversationId: string, afterId?: string): Message[] | undefined {
    const thread = this.thread.get(conversationId);
    if (!thread) return undefined;
    const index = afterId === undefined ? -1 : thread.findIndex((row) => row.id === afterId);
    return thread.slice(index + 1).map((row) => this.message(row));
  }

  private firstMessage(conversationId: string): Message | undefined {
    const first = this.thread.get(conversationId)?.[0];
    return first && this.message(first);
  }

  private message(row: MessageRow): Message {
    const { author, ...rest } = row;
    return {
      ...rest,
      author:
        author.type === 'end_user'
          ? { type: 'end_user', user: this.required(this.users, author.id) }
          : { type: 'agent', agent: this.required(this.agents, author.id) },
    };
  }

  // --- journal -------------------------------------------------------------------------------

  /** Sets a key and records how to undo it, so a failed transaction leaves nothing behind. */
  private put<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.journal) {
      const had = map.has(key);
      const previous = map.get(key);
      this.journal.push(() => (had ? map.set(key, previous as V) : map.delete(key)));
    }
    map.set(key, value);
  }

  /** A row the domain has already checked exists; its absence is a bug, like a broken foreign key. */
  private required<K, V>(map: Map<K, V>, key: K): V {
    const value = map.get(key);
    if (value === undefined) throw new Error(`dangling reference ${String(key)}`);
    return value;
  }
}

function byTimeThenId(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
