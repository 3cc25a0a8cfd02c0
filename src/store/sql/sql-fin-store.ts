/**
 * The store port over SQL, for SQLite and PostgreSQL alike. Idempotent inserts use
 * `ON CONFLICT DO NOTHING` and then read the row that won, which also settles concurrent
 * duplicates: on PostgreSQL the losing insert waits for the winner's transaction to commit.
 */
import type { Kysely } from 'kysely';
import type { Agent, Conversation, EndUser, Message } from '../../domain/model.js';
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
import { writeTransaction, type Database, type Dialect } from './database.js';
import { AGENT_COLUMNS, USER_COLUMNS, agentFrom, attachmentsFrom, json, prefixed, userFrom } from './rows.js';
import type { Schema } from './schema.js';

const FIN_AGENT = { name: 'Fin', email: 'fin@finch.invalid' } as const;

class SqlFinQueries implements FinStoreWriter {
  constructor(
    protected readonly db: Kysely<Schema>,
    protected readonly dialect: Dialect,
  ) {}

  // --- reads -----------------------------------------------------------------------------------

  async findUser(id: string): Promise<EndUser | undefined> {
    const row = await this.db.selectFrom('end_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userFrom(row);
  }

  async findAgent(id: string): Promise<Agent | undefined> {
    const row = await this.db.selectFrom('agents').select(AGENT_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && agentFrom(row);
  }

  async listAgents(): Promise<Agent[]> {
    const rows = await this.db
      .selectFrom('agents')
      .select(AGENT_COLUMNS)
      .where('active', '=', 1)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => agentFrom(row));
  }

  async findFinAgent(): Promise<Agent> {
    const row = await this.db.selectFrom('agents').select(AGENT_COLUMNS).where('is_fin', '=', 1).executeTakeFirst();
    if (!row) throw new Error('the database has no Fin agent; it is created on start');
    return agentFrom(row);
  }

  findConversation(id: string): Promise<Conversation | undefined> {
    return this.selectConversation(id, false);
  }

  async listMessages(conversationId: string, afterId?: string): Promise<Message[]> {
    const anchor =
      afterId === undefined
        ? undefined
        : await this.db
            .selectFrom('messages')
            .select(['created_at', 'id'])
            .where('id', '=', afterId)
            .where('conversation_id', '=', conversationId)
            .executeTakeFirst();
    const rows = await this.messagesQuery()
      .where('m.conversation_id', '=', conversationId)
      .$if(anchor !== undefined, (query) =>
        query.where((eb) => eb(eb.refTuple('m.created_at', 'm.id'), '>', eb.tuple(anchor!.created_at, anchor!.id))),
      )
      .orderBy('m.created_at')
      .orderBy('m.id')
      .execute();
    return rows.map(messageFrom);
  }

  async findFirstMessage(conversationId: string): Promise<Message | undefined> {
    const row = await this.messagesQuery()
      .where('m.conversation_id', '=', conversationId)
      .orderBy('m.created_at')
      .orderBy('m.id')
      .limit(1)
      .executeTakeFirst();
    return row && messageFrom(row);
  }

  // --- writes (inside a transaction) ------------------------------------------------------------

  lockConversation(id: string): Promise<Conversation | undefined> {
    return this.selectConversation(id, true);
  }

  async lockUser(id: string): Promise<EndUser | undefined> {
    const row = await this.db
      .selectFrom('end_users')
      .selectAll()
      .where('id', '=', id)
      .$if(this.dialect === 'postgres', (query) => query.forNoKeyUpdate())
      .executeTakeFirst();
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
      .selectAll()
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
        tags: JSON.stringify(conversation.tags),
        attributes: JSON.stringify(conversation.attributes),
        last_user_read_at: null,
        created_at: conversation.at,
        updated_at: conversation.at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { value: (await this.findConversation(id))!, created: true };
    const existing = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('object_id', '=', conversation.objectId)
      .executeTakeFirstOrThrow();
    return { value: (await this.findConversation(existing.id))!, created: false };
  }

  async updateConversation(id: string, changes: ConversationChanges, at: string): Promise<Conversation> {
    await this.db
      .updateTable('conversations')
      .set({
        ...(changes.status === undefined ? {} : { status: changes.status }),
        ...(changes.assigneeId === undefined ? {} : { assignee_id: changes.assigneeId }),
        ...(changes.title === undefined ? {} : { title: changes.title }),
        ...(changes.tags === undefined ? {} : { tags: JSON.stringify(changes.tags) }),
        ...(changes.attributes === undefined ? {} : { attributes: JSON.stringify(changes.attributes) }),
        ...(changes.lastUserReadAt === undefined ? {} : { last_user_read_at: changes.lastUserReadAt }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    return (await this.findConversation(id))!;
  }

  async insertMessage(message: NewMessage): Promise<Inserted<Message>> {
    const id = newId('msg');
    const inserted = await this.db
      .insertInto('messages')
      .values({
        id,
        object_id: message.objectId,
        conversation_id: message.conversationId,
        author_type: message.author.type,
        author_user_id: message.author.type === 'end_user' ? message.author.id : null,
        author_agent_id: message.author.type === 'agent' ? message.author.id : null,
        body: message.body,
        visibility: message.visibility,
        attachments: JSON.stringify(message.attachments),
        created_at: message.createdAt,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = await this.messagesQuery()
      .where(inserted ? 'm.id' : 'm.object_id', '=', inserted ? id : message.objectId)
      .executeTakeFirstOrThrow();
    return { value: messageFrom(row), created: inserted !== undefined };
  }

  // --- query shapes ----------------------------------------------------------------------------

  private async selectConversation(id: string, lock: boolean): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations as c')
      .innerJoin('end_users as u', 'u.id', 'c.user_id')
      .leftJoin('agents as a', 'a.id', 'c.assignee_id')
      .select([
        'c.id',
        'c.object_id',
        'c.status',
        'c.title',
        'c.tags',
        'c.attributes',
        'c.last_user_read_at',
        'c.created_at',
        'c.updated_at',
        ...prefixed('u', USER_COLUMNS, 'u_'),
        ...prefixed('a', AGENT_COLUMNS, 'a_'),
      ])
      .where('c.id', '=', id)
      // NO KEY UPDATE: blocks other writers of the conversation, not inserts of its messages.
      .$if(lock && this.dialect === 'postgres', (query) => query.forNoKeyUpdate('c'))
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      objectId: row.object_id,
      status: row.status,
      user: userFrom(row, 'u_'),
      assignee: row.a_id === null ? null : agentFrom(row, 'a_'),
      title: row.title,
      tags: json<string[]>(row.tags),
      attributes: json<Record<string, unknown>>(row.attributes),
      lastUserReadAt: row.last_user_read_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private messagesQuery() {
    return this.db
      .selectFrom('messages as m')
      .leftJoin('end_users as u', 'u.id', 'm.author_user_id')
      .leftJoin('agents as a', 'a.id', 'm.author_agent_id')
      .select([
        'm.id',
        'm.object_id',
        'm.conversation_id',
        'm.author_type',
        'm.body',
        'm.visibility',
        'm.attachments',
        'm.created_at',
        ...prefixed('u', USER_COLUMNS, 'u_'),
        ...prefixed('a', AGENT_COLUMNS, 'a_'),
      ]);
  }
}

type MessageRow = Record<string, unknown> & {
  id: string;
  object_id: string | null;
  conversation_id: string;
  author_type: 'end_user' | 'agent';
  body: string | null;
  visibility: 'public' | 'private';
  attachments: unknown;
  created_at: string;
};

function messageFrom(row: MessageRow): Message {
  return {
    id: row.id,
    objectId: row.object_id,
    conversationId: row.conversation_id,
    body: row.body,
    author: row.author_type === 'end_user' ? { type: 'end_user', user: userFrom(row, 'u_') } : { type: 'agent', agent: agentFrom(row, 'a_') },
    visibility: row.visibility,
    attachments: attachmentsFrom(row.attachments),
    createdAt: row.created_at,
  };
}

export class SqlFinStore extends SqlFinQueries implements FinStore, AgentDirectory {
  constructor(private readonly database: Database) {
    super(database.db, database.dialect);
  }

  transaction<T>(work: (tx: FinStoreWriter) => Promise<T>): Promise<T> {
    return writeTransaction(this.database, (trx) => work(new SqlFinQueries(trx, this.dialect)));
  }

  async insertAgent(agent: NewAgent): Promise<Agent> {
    const id = newId('agent');
    const inserted = await this.db
      .insertInto('agents')
      .values({
        id,
        name: agent.name,
        email: agent.email,
        alias: agent.alias,
        photo_url: agent.photoUrl,
        role: agent.role,
        is_fin: agent.isFin ? 1 : 0,
        active: 1,
        password_hash: agent.passwordHash,
        created_at: agent.at,
        updated_at: agent.at,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw new EmailTakenError(agent.email);
    return (await this.findAgent(id))!;
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
