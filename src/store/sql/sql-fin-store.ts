/**
 * The store port over SQL, for SQLite and PostgreSQL alike. Idempotent inserts use
 * `ON CONFLICT DO NOTHING` and then read the row that won, which also settles concurrent
 * duplicates: on PostgreSQL the losing insert waits for the winner's transaction to commit.
 */
import { SqlActivityStore } from './sql-activity-store.js';
import { SqlNotificationStore } from './sql-notification-store.js';
import { SqlPresenceStore } from './sql-presence-store.js';
import { SqlRoutingStore } from './sql-routing-store.js';
import { SqlSlaStore } from './sql-sla-store.js';
import type { Insertable, Kysely, Updateable } from 'kysely';
import { htmlToText } from '../../domain/content.js';
import { searchText } from '../../domain/search-words.js';
import type { Agent, Conversation, EndUser, Message, PeopleEdits } from '../../domain/model.js';
import { newId } from '../../domain/ids.js';
import type { ConversationChanges, EndUserChanges, Inserted, NewAgent, NewConversation, NewEndUser, NewMessage } from '../port.js';
import type {
  ConversationCursor,
  ConversationListItem,
  ConversationQuery,
  HelpdeskStore,
  HelpdeskTransaction,
  HelpdeskWriter,
  MessagePosition,
  QueueCounts,
  ThreadPage,
} from '../helpdesk-port.js';
import { writeTransaction, type Database, type Dialect, type TransactionScope } from './database.js';
import { SqlAccounts } from './sql-account-store.js';
import { SqlCannedReplyStore } from './sql-canned-reply-store.js';
import { SqlCredentialStore } from './sql-credential-store.js';
import { SqlFileStore } from './sql-file-store.js';
import { SqlDeliveryReplays } from './sql-outbox-store.js';
import { SqlSettingsStore } from './sql-settings-store.js';
import { enqueueSync, enqueueTyping } from './sql-outbox-store.js';
import { countQueues, listConversations } from './sql-queues.js';
import { prepared, type PreparedQuery } from './prepared.js';
import { conversationFrom, conversationQuery, updateConversationReturningRow, type ConversationRow } from './conversation-rows.js';
import { insertMessageReturningRow, messageQuery, type MessageRow } from './message-rows.js';
import { AGENT_COLUMNS, USER_COLUMNS, agentFrom, attachmentsFrom, prefixed, userFrom } from './rows.js';
import type { Schema } from './schema.js';

const FIN_AGENT = { name: 'Fin', email: 'fin@finch.invalid' } as const;

/** The hot reads, compiled once (see prepared.ts). */
const READS = {
  user: prepared((db, id: string) => db.selectFrom('end_users').select(USER_COLUMNS).where('id', '=', id)),
  userForUpdate: prepared((db, id: string) => db.selectFrom('end_users').select(USER_COLUMNS).where('id', '=', id).forNoKeyUpdate()),
  agent: prepared((db, id: string) => db.selectFrom('agents').select(AGENT_COLUMNS).where('id', '=', id)),
  activeAgents: prepared((db) => db.selectFrom('agents').select(AGENT_COLUMNS).where('active', '=', 1).orderBy('created_at').orderBy('id')),
  finAgent: prepared((db) => db.selectFrom('agents').select(AGENT_COLUMNS).where('is_fin', '=', 1)),
  conversation: prepared((db, id: string) => conversationQuery(db).where('c.id', '=', id)),
  // NO KEY UPDATE: blocks other writers of the conversation, not inserts of its messages.
  conversationForUpdate: prepared((db, id: string) => conversationQuery(db).where('c.id', '=', id).forNoKeyUpdate('c')),
  conversationUser: prepared((db, id: string) =>
    db
      .selectFrom('conversations as c')
      .innerJoin('end_users as u', 'u.id', 'c.user_id')
      .select(prefixed('u', USER_COLUMNS, ''))
      .where('c.id', '=', id),
  ),
  anchor: prepared((db, conversationId: string, messageId: string) =>
    db.selectFrom('messages').select(['created_at', 'id']).where('id', '=', messageId).where('conversation_id', '=', conversationId),
  ),
  thread: prepared((db, conversationId: string) => messageQuery(db).where('m.conversation_id', '=', conversationId).orderBy('m.created_at').orderBy('m.id')),
  threadAfter: prepared((db, conversationId: string, createdAt: string, id: string) =>
    messageQuery(db)
      .where('m.conversation_id', '=', conversationId)
      .where((eb) => eb(eb.refTuple('m.created_at', 'm.id'), '>', eb.tuple(createdAt, id)))
      .orderBy('m.created_at')
      .orderBy('m.id'),
  ),
  // Newest first, so a page reads only its own rows of the index (conversation_id, created_at, id).
  latestThread: prepared((db, conversationId: string, limit: number) => newestFirst(messageQuery(db).where('m.conversation_id', '=', conversationId), limit)),
  threadBefore: prepared((db, conversationId: string, createdAt: string, id: string, limit: number) =>
    newestFirst(
      messageQuery(db)
        .where('m.conversation_id', '=', conversationId)
        .where((eb) => eb(eb.refTuple('m.created_at', 'm.id'), '<', eb.tuple(createdAt, id))),
      limit,
    ),
  ),
  latestAfter: prepared((db, conversationId: string, createdAt: string, id: string, limit: number) =>
    newestFirst(
      messageQuery(db)
        .where('m.conversation_id', '=', conversationId)
        .where((eb) => eb(eb.refTuple('m.created_at', 'm.id'), '>', eb.tuple(createdAt, id))),
      limit,
    ),
  ),
  replyAfter: prepared((db, conversationId: string, createdAt: string, id: string, agentId: string) =>
    db
      .selectFrom('messages as m')
      .select('m.id')
      .where('m.conversation_id', '=', conversationId)
      .where((eb) => eb(eb.refTuple('m.created_at', 'm.id'), '>', eb.tuple(createdAt, id)))
      .where('m.visibility', '=', 'public')
      .where('m.author_type', '=', 'agent')
      .where('m.author_agent_id', '<>', agentId)
      .limit(1),
  ),
  messageCount: prepared((db, conversationId: string) =>
    db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('conversation_id', '=', conversationId),
  ),
  firstMessage: prepared((db, conversationId: string) =>
    messageQuery(db).where('m.conversation_id', '=', conversationId).orderBy('m.created_at').orderBy('m.id').limit(1),
  ),
  message: prepared((db, id: string) => messageQuery(db).where('m.id', '=', id)),
  messageByObjectId: prepared((db, objectId: string) => messageQuery(db).where('m.object_id', '=', objectId)),
};

/**
 * A new message's row from its columns in order, for the prepared inserts below: every message
 * written (an agent's reply or note, an end-user's message Fin relays) goes through them, and
 * building and compiling the insert each time was a visible share of a change's CPU.
 */
function messageValues(
  id: string,
  objectId: string | null,
  conversationId: string,
  authorType: 'end_user' | 'agent',
  authorUserId: string | null,
  authorAgentId: string | null,
  body: string | null,
  bodyWords: string | null,
  visibility: 'public' | 'private',
  attachments: string,
  createdAt: string,
): Insertable<Schema['messages']> {
  return {
    id,
    object_id: objectId,
    conversation_id: conversationId,
    author_type: authorType,
    author_user_id: authorUserId,
    author_agent_id: authorAgentId,
    body,
    body_words: bodyWords,
    visibility,
    attachments,
    created_at: createdAt,
  };
}

type MessageColumns = Parameters<typeof messageValues>;
const MESSAGE_COLUMN_COUNT = messageValues.length;

/** Inserts a message unless its `object_id` is taken (an idempotent retry). */
const INSERT_MESSAGE = {
  /** PostgreSQL: the row as `messageQuery` reads it, in the same statement. */
  returningRow: prepared((db, ...columns: MessageColumns) => insertMessageReturningRow(db, messageValues(...columns)), MESSAGE_COLUMN_COUNT),
  /** SQLite (no data-modifying WITH): the id, read back apart, which costs it no round trip. */
  returningId: prepared(
    (db, ...columns: MessageColumns) =>
      db
        .insertInto('messages')
        .values(messageValues(...columns))
        .onConflict((conflict) => conflict.doNothing())
        .returning('id'),
    MESSAGE_COLUMN_COUNT,
  ),
};

/** Compiled updates of conversations, one per set of columns written (see `conversationUpdate`). */
const CONVERSATION_UPDATES = new Map<string, PreparedQuery<[string, ...unknown[]], unknown>>();

/**
 * The update of a conversation's `columns` (then its id and their values), compiled once per set of
 * columns: a change writes only what it changes, so the statement differs by change, but the sets
 * that occur are few (a note, a reply, tags, a status change each write the same ones every time).
 * `returningRow` (PostgreSQL) gives the row as `conversationQuery` reads it, in the same statement.
 */
function conversationUpdate(columns: readonly (keyof Updateable<Schema['conversations']>)[], returning: 'returningRow' | 'only') {
  const key = `${returning} ${columns.join(',')}`;
  let query = CONVERSATION_UPDATES.get(key);
  if (!query) {
    query = prepared((db, id: string, ...values: unknown[]) => {
      const set = Object.fromEntries(columns.map((column, index) => [column, values[index]])) as Updateable<Schema['conversations']>;
      return returning === 'returningRow' ? updateConversationReturningRow(db, id, set) : db.updateTable('conversations').set(set).where('id', '=', id);
    }, 1 + columns.length);
    CONVERSATION_UPDATES.set(key, query);
  }
  return query;
}

/** The newest `limit` of a thread's messages, newest first (the caller reverses them into thread order). */
function newestFirst(query: ReturnType<typeof messageQuery>, limit: number) {
  return query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(limit);
}

const jsonOrNull = (value: unknown) => (value === null ? null : JSON.stringify(value));

/**
 * Told of each conversation a write changed, so the inbox hears of it (see change-feed.ts), and of
 * outbox writes, so dispatchers in other processes look.
 */
interface Announcer {
  /** `routable`: the conversation was created, or its status or assignee written (routers should look). */
  changed(conversationId: string, routable?: boolean): Promise<void> | void;
  outboxWritten(): Promise<void> | void;
}

class SqlFinQueries implements HelpdeskWriter {
  constructor(
    protected readonly db: Kysely<Schema>,
    protected readonly dialect: Dialect,
    private readonly announce: Announcer,
  ) {}

  // --- reads -----------------------------------------------------------------------------------

  async findUser(id: string): Promise<EndUser | undefined> {
    const [row] = await READS.user.run(this.db, this.dialect, id);
    return row && userFrom(row);
  }

  async findAgent(id: string): Promise<Agent | undefined> {
    const [row] = await READS.agent.run(this.db, this.dialect, id);
    return row && agentFrom(row);
  }

  async listAgents(): Promise<Agent[]> {
    return (await READS.activeAgents.run(this.db, this.dialect)).map((row) => agentFrom(row));
  }

  async findFinAgent(): Promise<Agent> {
    const [row] = await READS.finAgent.run(this.db, this.dialect);
    if (!row) throw new Error('the database has no Fin agent; it is created on start');
    return agentFrom(row);
  }

  async findConversation(id: string): Promise<Conversation | undefined> {
    const [row] = await READS.conversation.run(this.db, this.dialect, id);
    return row && conversationFrom(row);
  }

  async listMessages(conversationId: string, afterId?: string): Promise<Message[] | undefined> {
    const [userRow] = await READS.conversationUser.run(this.db, this.dialect, conversationId);
    if (!userRow) return undefined;
    const [anchor] = afterId === undefined ? [] : await READS.anchor.run(this.db, this.dialect, conversationId, afterId);
    const rows = anchor
      ? await READS.threadAfter.run(this.db, this.dialect, conversationId, anchor.created_at, anchor.id)
      : await READS.thread.run(this.db, this.dialect, conversationId);
    return this.messagesFrom(rows, userFrom(userRow));
  }

  async repliedSince(conversationId: string, messageId: string, agentId: string): Promise<boolean | undefined> {
    const [anchor] = await READS.anchor.run(this.db, this.dialect, conversationId, messageId);
    if (!anchor) return undefined;
    const rows = await READS.replyAfter.run(this.db, this.dialect, conversationId, anchor.created_at, anchor.id, agentId);
    return rows.length > 0;
  }

  async listMessagesSince(conversationId: string, messageId: string, limit: number): Promise<Message[] | undefined> {
    const [anchor] = await READS.anchor.run(this.db, this.dialect, conversationId, messageId);
    if (!anchor) return undefined;
    const rows = await READS.latestAfter.run(this.db, this.dialect, conversationId, anchor.created_at, anchor.id, limit);
    return this.messagesFrom(rows.reverse());
  }

  async listThreadPage(conversationId: string, before: MessagePosition | null, limit: number, user?: EndUser): Promise<ThreadPage | undefined> {
    let endUser = user;
    if (!endUser) {
      const [userRow] = await READS.conversationUser.run(this.db, this.dialect, conversationId);
      if (!userRow) return undefined;
      endUser = userFrom(userRow);
    }
    // One row more than the page says whether older ones exist.
    const rows = before
      ? await READS.threadBefore.run(this.db, this.dialect, conversationId, before.createdAt, before.id, limit + 1)
      : await READS.latestThread.run(this.db, this.dialect, conversationId, limit + 1);
    const hasOlder = rows.length > limit;
    const page = rows.slice(0, limit).reverse();
    return { messages: await this.messagesFrom(page, endUser), hasOlder };
  }

  async countMessages(conversationId: string): Promise<number> {
    const [row] = await READS.messageCount.run(this.db, this.dialect, conversationId);
    // PostgreSQL's count is a bigint, which pg gives as a string.
    return Number(row?.n ?? 0);
  }

  async findFirstMessage(conversationId: string): Promise<Message | undefined> {
    return (await this.messagesFrom(await READS.firstMessage.run(this.db, this.dialect, conversationId)))[0];
  }

  // --- writes (inside a transaction) ------------------------------------------------------------

  async lockConversation(id: string): Promise<Conversation | undefined> {
    const query = this.dialect === 'postgres' ? READS.conversationForUpdate : READS.conversation;
    const [row] = await query.run(this.db, this.dialect, id);
    return row && conversationFrom(row);
  }

  async lockUser(id: string): Promise<EndUser | undefined> {
    const query = this.dialect === 'postgres' ? READS.userForUpdate : READS.user;
    const [row] = await query.run(this.db, this.dialect, id);
    return row && userFrom(row);
  }

  async insertUser(user: NewEndUser): Promise<Inserted<EndUser>> {
    const id = user.id ?? newId('user');
    const inserted = await this.db
      .insertInto('end_users')
      .values({
        id,
        object_id: user.objectId,
        name: user.name,
        email: user.email,
        photo_url: user.photoUrl,
        attributes: JSON.stringify(user.attributes),
        created_at: user.at,
        updated_at: user.at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { value: (await this.findUser(id))!, created: true };
    const existing = await this.db
      .selectFrom('end_users')
      .select(USER_COLUMNS)
      .where((eb) => (user.objectId === null ? eb('id', '=', id) : eb.or([eb('id', '=', id), eb('object_id', '=', user.objectId)])))
      .executeTakeFirstOrThrow();
    return { value: userFrom(existing), created: false };
  }

  async updateUser(id: string, changes: EndUserChanges, at: string): Promise<EndUser> {
    await this.db
      .updateTable('end_users')
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.email === undefined ? {} : { email: changes.email }),
        ...(changes.photoUrl === undefined ? {} : { photo_url: changes.photoUrl }),
        ...(changes.attributes === undefined ? {} : { attributes: JSON.stringify(changes.attributes) }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    return (await this.findUser(id))!;
  }

  async insertConversation(conversation: NewConversation): Promise<Inserted<Conversation>> {
    const id = newId('conv');
    const inserted = await this.db
      .insertInto('conversations')
      .values({
        id,
        object_id: conversation.objectId,
        user_id: conversation.userId,
        assignee_id: conversation.assigneeId,
        status: conversation.status,
        title: conversation.title,
        title_words: conversation.title === null ? null : searchText(conversation.title),
        tags: JSON.stringify(conversation.tags),
        attributes: JSON.stringify(conversation.attributes),
        last_user_read_at: null,
        assigned_at: conversation.at,
        created_at: conversation.at,
        updated_at: conversation.at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      // A new conversation may wait for a person, or count against its assignee's capacity.
      await this.announce.changed(id, true);
      return { value: (await this.findConversation(id))!, created: true };
    }
    const existing = await this.db.selectFrom('conversations').select('id').where('object_id', '=', conversation.objectId).executeTakeFirstOrThrow();
    return { value: (await this.findConversation(existing.id))!, created: false };
  }

  async updateConversation(id: string, changes: ConversationChanges, at: string): Promise<Conversation> {
    const set: Updateable<Schema['conversations']> = {
      ...(changes.status === undefined ? {} : { status: changes.status }),
      ...(changes.assigneeId === undefined ? {} : { assignee_id: changes.assigneeId, assigned_at: at }),
      ...(changes.title === undefined ? {} : { title: changes.title, title_words: changes.title === null ? null : searchText(changes.title) }),
      ...(changes.tags === undefined ? {} : { tags: JSON.stringify(changes.tags) }),
      ...(changes.attributes === undefined ? {} : { attributes: JSON.stringify(changes.attributes) }),
      ...(changes.lastUserReadAt === undefined ? {} : { last_user_read_at: changes.lastUserReadAt }),
      ...(changes.handoverReason === undefined ? {} : { handover_reason: changes.handoverReason }),
      ...(changes.unreadAt === undefined ? {} : { unread_at: changes.unreadAt }),
      ...(changes.peopleEdits === undefined ? {} : { people_edits: jsonOrNull(changes.peopleEdits) }),
      ...(changes.handedOverAt === undefined ? {} : { handed_over_at: changes.handedOverAt }),
      ...(changes.replyDueAt === undefined ? {} : { reply_due_at: changes.replyDueAt }),
      ...(changes.resolveDueAt === undefined ? {} : { resolve_due_at: changes.resolveDueAt }),
      ...(changes.slaBreachedAt === undefined ? {} : { sla_breached_at: changes.slaBreachedAt }),
      updated_at: at,
    };
    const columns = Object.keys(set) as (keyof typeof set)[];
    const values = columns.map((column) => set[column]);
    let updated: Conversation | undefined;
    if (this.dialect === 'postgres') {
      const [row] = (await conversationUpdate(columns, 'returningRow').run(this.db, this.dialect, id, ...values)) as ConversationRow[];
      updated = row && conversationFrom(row);
    } else {
      await conversationUpdate(columns, 'only').run(this.db, this.dialect, id, ...values);
      updated = await this.findConversation(id);
    }
    if (!updated) throw new Error(`conversation ${id} vanished`);
    // Only a status or an assignee can make a conversation wait for a person or free someone's capacity.
    await this.announce.changed(id, 'status' in set || 'assignee_id' in set);
    return updated;
  }

  async insertMessage(message: NewMessage): Promise<Inserted<Message>> {
    const id = newId('msg');
    const columns = [
      id,
      message.objectId,
      message.conversationId,
      message.author.type,
      message.author.type === 'end_user' ? message.author.id : null,
      message.author.type === 'agent' ? message.author.id : null,
      message.body,
      message.body === null ? null : searchText(htmlToText(message.body)),
      message.visibility,
      JSON.stringify(message.attachments),
      message.createdAt,
    ] as const;
    let rows: MessageRow[];
    if (this.dialect === 'postgres') {
      rows = await INSERT_MESSAGE.returningRow.run(this.db, this.dialect, ...columns);
    } else {
      const inserted = await INSERT_MESSAGE.returningId.run(this.db, this.dialect, ...columns);
      rows = inserted.length > 0 ? await READS.message.run(this.db, this.dialect, id) : [];
    }
    const created = rows.length > 0;
    // Not inserted: a message with this object_id exists (an idempotent retry); answer with it.
    if (!created) rows = await READS.messageByObjectId.run(this.db, this.dialect, message.objectId!);
    const [value] = await this.messagesFrom(rows);
    if (!value) throw new Error(`message ${created ? id : message.objectId} vanished`);
    if (created) await this.announce.changed(message.conversationId);
    return { value, created };
  }

  async writePeopleEdits(id: string, edits: PeopleEdits | null): Promise<void> {
    await this.db
      .updateTable('conversations')
      .set({ people_edits: jsonOrNull(edits) })
      .where('id', '=', id)
      .execute();
  }

  /** Clears the unread marker (its holder opened it); the inbox is told only when there was one. */
  async clearUnread(conversationId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('conversations')
      .set({ unread_at: null })
      .where('id', '=', conversationId)
      .where('unread_at', 'is not', null)
      .executeTakeFirst();
    const cleared = Number(result.numUpdatedRows) > 0;
    if (cleared) await this.announce.changed(conversationId);
    return cleared;
  }

  // --- the outbox, in the same transaction as the change it announces ---------------------------

  /** Also a change the inbox shows: Fin is told of every change to a conversation, its end-user's included. */
  async enqueueSync(conversationId: string, at: string): Promise<void> {
    await enqueueSync(this.db, this.dialect, conversationId, at);
    await this.announce.outboxWritten();
    await this.announce.changed(conversationId);
  }

  async enqueueTyping(event: Parameters<HelpdeskWriter['enqueueTyping']>[0]): Promise<boolean> {
    const queued = await enqueueTyping(this.db, this.dialect, event);
    if (queued) await this.announce.outboxWritten();
    return queued;
  }

  async activeConversationIdsOfUser(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', 'in', ['open', 'resolved'])
      .orderBy('updated_at', 'desc')
      .execute();
    return rows.map((row) => row.id);
  }

  async openConversationIdsOf(agentId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('conversations').select('id').where('assignee_id', '=', agentId).where('status', '=', 'open').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  /** Rows to messages, reading each end-user author once (usually the one the caller already has). */
  private async messagesFrom(rows: MessageRow[], known?: EndUser): Promise<Message[]> {
    const users = new Map<string, EndUser>(known ? [[known.id, known]] : []);
    for (const row of rows) {
      const userId = row.author_user_id;
      if (userId !== null && !users.has(userId)) {
        const user = await this.findUser(userId);
        if (!user) throw new Error(`message ${row.id} has a missing author ${userId}`);
        users.set(userId, user);
      }
    }
    return rows.map((row) => ({
      id: row.id,
      objectId: row.object_id,
      conversationId: row.conversation_id,
      body: row.body,
      author: row.author_type === 'end_user' ? { type: 'end_user', user: users.get(row.author_user_id!)! } : { type: 'agent', agent: agentFrom(row, 'a_') },
      visibility: row.visibility,
      attachments: attachmentsFrom(row.attachments),
      createdAt: row.created_at,
    }));
  }
}

/**
 * The unit of work's handle (helpdesk-port.ts's `HelpdeskTransaction`): the conversation writer
 * and the outbox, and every other store over the same transaction, whose notes they fill.
 */
class SqlHelpdeskTransaction extends SqlFinQueries implements HelpdeskTransaction {
  readonly accounts: SqlAccounts;
  readonly credentials: SqlCredentialStore;
  readonly settings: SqlSettingsStore;
  readonly cannedReplies: SqlCannedReplyStore;
  readonly files: SqlFileStore;
  readonly deliveries: SqlDeliveryReplays;
  readonly activity: SqlActivityStore;
  readonly presence: SqlPresenceStore;
  readonly routing: SqlRoutingStore;
  readonly sla: SqlSlaStore;
  readonly notifications: SqlNotificationStore;

  constructor(scope: TransactionScope) {
    super(scope.db, scope.dialect, {
      changed: (id, routable) => {
        scope.notes.add(id);
        if (routable) scope.notes.routable = true;
      },
      outboxWritten: () => void (scope.notes.outboxWritten = true),
    });
    this.accounts = new SqlAccounts(scope);
    this.credentials = new SqlCredentialStore(scope);
    this.settings = new SqlSettingsStore(scope);
    this.cannedReplies = new SqlCannedReplyStore(scope);
    this.files = new SqlFileStore(scope);
    this.deliveries = new SqlDeliveryReplays(scope);
    this.activity = new SqlActivityStore(scope);
    this.presence = new SqlPresenceStore(scope);
    this.routing = new SqlRoutingStore(scope);
    this.sla = new SqlSlaStore(scope);
    this.notifications = new SqlNotificationStore(scope);
  }
}

export class SqlFinStore extends SqlFinQueries implements HelpdeskStore {
  constructor(private readonly database: Database) {
    // A write outside `transaction` has committed by the time it returns: announced at once.
    super(database.db, database.dialect, {
      changed: async (conversationId, routable = false) => {
        await database.changes.notify(database.db, [conversationId], { routable });
        database.changes.committed([conversationId], routable);
      },
      outboxWritten: () => database.changes.notify(database.db, [], { outboxWritten: true }),
    });
  }

  /**
   * The unit of work for the helpdesk, and the Fin API's `FinStore.transaction` (the handle is a
   * `FinStoreWriter`). On PostgreSQL the dispatchers' NOTIFY goes out with the inbox's at the end,
   * in one statement.
   */
  transaction<T>(work: (tx: HelpdeskTransaction) => Promise<T>): Promise<T> {
    return writeTransaction(this.database, (trx, notes) => work(new SqlHelpdeskTransaction({ db: trx, dialect: this.dialect, notes })));
  }

  /** SQLite's version (store-version.ts). PostgreSQL's comes with each token (sql-credential-store.ts). */
  version(): string | undefined {
    return this.database.version?.();
  }

  subscribeToChanges(onChange: (conversationIds: string[]) => void, onMissed?: () => void): Promise<() => Promise<void>> {
    return this.database.changes.subscribe(onChange, onMissed);
  }

  subscribeToRoutingChanges(onChange: () => void, onMissed: () => void): Promise<() => Promise<void>> {
    return this.database.changes.subscribeRouting(onChange, onMissed);
  }

  listConversations(query: ConversationQuery): Promise<{ items: ConversationListItem[]; next: ConversationCursor | null }> {
    return listConversations(this.db, this.dialect, query);
  }

  countQueues(viewerId: string): Promise<QueueCounts> {
    return countQueues(this.db, viewerId);
  }

  /** Commits on its own (the CLI's first admin, integrators); use cases insert through `transaction`. */
  insertAgent(agent: NewAgent): Promise<Agent> {
    return new SqlAccounts(this.database).insertAgent(agent);
  }

  async findAgentByEmail(email: string): Promise<Agent | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .select(AGENT_COLUMNS)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    return row && agentFrom(row);
  }

  async ensureFinAgent(at: string): Promise<Agent> {
    // The partial unique index on is_fin lets exactly one of several starting nodes insert it.
    await this.db
      .insertInto('agents')
      .values({
        id: newId('agent'),
        ...FIN_AGENT,
        alias: null,
        photo_url: null,
        role: 'agent',
        is_fin: 1,
        active: 1,
        password_hash: null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    return this.findFinAgent();
  }
}
