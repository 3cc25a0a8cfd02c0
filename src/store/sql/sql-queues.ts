/**
 * The inbox's queues over SQL: one page of conversations with the last message of each, and the
 * number of open conversations in every queue. Pages are keyed (time, id), so a page costs the
 * same however deep into a queue it is.
 */
import { sql, type Kysely } from 'kysely';
import type { ConversationCursor, ConversationListItem, ConversationQuery, LastMessage, QueueCounts } from '../helpdesk-port.js';
import { searchWords } from '../../domain/search-words.js';
import type { Dialect } from './database.js';
import { conversationFrom, conversationQuery } from './conversation-rows.js';
import type { Schema } from './schema.js';

/** Conversations with their last message's id, before the queue's conditions. */
function queueBase(db: Kysely<Schema>) {
  return conversationQuery(db).select((eb) =>
    eb
      .selectFrom('messages as lm')
      .select('lm.id')
      .whereRef('lm.conversation_id', '=', 'c.id')
      .orderBy('lm.created_at', 'desc')
      .orderBy('lm.id', 'desc')
      .limit(1)
      .as('last_message_id'),
  );
}

type QueueBuilder = ReturnType<typeof queueBase>;
type QueueRow = Awaited<ReturnType<QueueBuilder['execute']>>[number];

export async function listConversations(
  db: Kysely<Schema>,
  dialect: Dialect,
  query: ConversationQuery,
): Promise<{ items: ConversationListItem[]; next: ConversationCursor | null }> {
  const waiting = query.queue === 'waiting';
  // The waiting queue is oldest wait first; every other queue shows the latest activity first.
  const sortColumn = waiting ? 'c.assigned_at' : 'c.updated_at';
  let builder = queueBase(db);

  switch (query.queue) {
    case 'waiting':
      builder = builder.where('c.assignee_id', 'is', null).where('c.status', '=', 'open');
      break;
    case 'mine':
      builder = builder.where('c.assignee_id', '=', query.viewerId);
      break;
    case 'fin':
      builder = builder.where('a.is_fin', '=', 1);
      break;
    case 'others':
      builder = builder.where('a.is_fin', '=', 0).where('c.assignee_id', '!=', query.viewerId);
      break;
    case 'all':
      break;
  }
  if (query.status && !waiting) builder = builder.where('c.status', '=', query.status);
  if (query.tag !== undefined) builder = builder.where(hasTag(dialect, query.tag));
  if (query.words && query.words.length > 0) builder = builder.where(matchesWords(dialect, query.words));
  const byDue = query.sort === 'due';
  let rows: QueueRow[];
  if (byDue) rows = await dueOrder(builder, query.after, query.limit + 1);
  else {
    if (query.after) {
      const { at, id } = query.after;
      builder = builder.where((eb) => eb(eb.refTuple(sortColumn, 'c.id'), waiting ? '>' : '<', eb.tuple(at, id)));
    }
    const direction = waiting ? 'asc' : 'desc';
    rows = await builder
      .orderBy(sortColumn, direction)
      .orderBy('c.id', direction)
      .limit(query.limit + 1)
      .execute();
  }

  const page = rows.slice(0, query.limit);
  const lastMessages = await lastMessagesById(
    db,
    page.map((row) => row.last_message_id).filter((id): id is string => id !== null),
  );
  const items = page.map((row) => ({
    conversation: conversationFrom(row),
    lastMessage: row.last_message_id === null ? null : (lastMessages.get(row.last_message_id) ?? null),
  }));
  const last = page.at(-1);
  let next: ConversationCursor | null = null;
  if (rows.length > query.limit && last) {
    if (byDue)
      next =
        last.reply_due_at === null ? { at: last.assigned_at ?? last.created_at, id: last.id, due: false } : { at: last.reply_due_at, id: last.id, due: true };
    else next = { at: waiting ? (last.assigned_at ?? last.created_at) : last.updated_at, id: last.id };
  }
  return { items, next };
}

/**
 * Up to `limit` rows after `after` in the `due` order: due times soonest first (ties by id), then
 * those without one by waiting time (`assigned_at`, id). Two keyed reads, each in an index's order
 * (`conversations_reply_due`, and the waiting queue's), the second only when the first ran out, so
 * a page costs the same however long the queue (an ORDER BY over both would sort every row).
 */
async function dueOrder(builder: QueueBuilder, after: ConversationCursor | undefined, limit: number): Promise<QueueRow[]> {
  let rows: QueueRow[] = [];
  if (after?.due !== false) {
    let due = builder.where('c.reply_due_at', 'is not', null);
    if (after) due = due.where((eb) => eb(eb.refTuple('c.reply_due_at', 'c.id'), '>', eb.tuple(after.at, after.id)));
    rows = await due.orderBy('c.reply_due_at').orderBy('c.id').limit(limit).execute();
  }
  if (rows.length >= limit) return rows;
  let dueless = builder.where('c.reply_due_at', 'is', null);
  if (after?.due === false) dueless = dueless.where((eb) => eb(eb.refTuple('c.assigned_at', 'c.id'), '>', eb.tuple(after.at, after.id)));
  return [
    ...rows,
    ...(await dueless
      .orderBy('c.assigned_at')
      .orderBy('c.id')
      .limit(limit - rows.length)
      .execute()),
  ];
}

async function lastMessagesById(db: Kysely<Schema>, ids: string[]): Promise<Map<string, LastMessage>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('messages').select(['id', 'author_type', 'visibility', 'body', 'created_at']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, { authorType: row.author_type, visibility: row.visibility, body: row.body, createdAt: row.created_at }]));
}

/** Tags are a JSON array: json_each on SQLite, containment (GIN-indexed) on PostgreSQL. */
function hasTag(dialect: Dialect, tag: string) {
  return dialect === 'postgres'
    ? sql<boolean>`c.tags @> ${JSON.stringify([tag])}::jsonb`
    : sql<boolean>`exists (select 1 from json_each(c.tags) where json_each.value = ${tag})`;
}

/**
 * Every word must appear, as a word or the start of one, in the title or in a message (notes
 * included). The index holds words Finch computed (domain/search-words.ts, see 0007_search_words),
 * and the words asked for are put through the same rule here, so both sides agree on every
 * database; the rule leaves only letters, marks and digits, safe inside either query syntax.
 * SQLite: FTS5 prefix queries. PostgreSQL: the indexed expression, matched by a prefix lexeme
 * written as tsquery input (`'word':*`), which, unlike to_tsquery, takes the word as it is.
 */
function matchesWords(dialect: Dialect, asked: string[]) {
  const words = [...new Set(asked.flatMap(searchWords))];
  if (words.length === 0) return sql<boolean>`true`;
  const conditions = words.map((word) =>
    dialect === 'postgres'
      ? sql<boolean>`(array_to_tsvector(string_to_array(c.title_words, ' ')) @@ ${`'${word}':*`}::tsquery
          or c.id in (select sm.conversation_id from messages sm where array_to_tsvector(string_to_array(sm.body_words, ' ')) @@ ${`'${word}':*`}::tsquery))`
      : sql<boolean>`(c.rowid in (select rowid from conversations_fts where conversations_fts match ${`"${word}"*`})
          or c.id in (select sm.conversation_id from messages_fts join messages sm on sm.rowid = messages_fts.rowid where messages_fts match ${`"${word}"*`}))`,
  );
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

export async function countQueues(db: Kysely<Schema>, viewerId: string): Promise<QueueCounts> {
  const row = await db
    .selectFrom('conversations as c')
    .leftJoin('agents as a', 'a.id', 'c.assignee_id')
    .where('c.status', '=', 'open')
    .select((eb) => [
      eb.fn.countAll<number>().as('all'),
      eb.fn.sum<number>(eb.case().when('c.assignee_id', 'is', null).then(1).else(0).end()).as('waiting'),
      eb.fn.sum<number>(eb.case().when('c.assignee_id', '=', viewerId).then(1).else(0).end()).as('mine'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('c.assignee_id', '=', viewerId), eb('c.unread_at', 'is not', null)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('unread'),
      eb.fn.sum<number>(eb.case().when('a.is_fin', '=', 1).then(1).else(0).end()).as('fin'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('a.is_fin', '=', 0), eb('c.assignee_id', '!=', viewerId)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('others'),
    ])
    .executeTakeFirstOrThrow();
  const count = (value: unknown) => Number(value ?? 0);
  return {
    waiting: count(row.waiting),
    mine: count(row.mine),
    fin: count(row.fin),
    others: count(row.others),
    all: count(row.all),
    unread: count(row.unread),
  };
}
