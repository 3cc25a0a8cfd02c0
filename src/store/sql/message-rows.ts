/** Messages as rows: each with its agent author joined in (an end-user author is read apart). */
import type { Insertable, Kysely } from 'kysely';
import { AGENT_COLUMNS, prefixed } from './rows.js';
import type { Schema } from './schema.js';

const MESSAGE_COLUMNS = [
  'm.id',
  'm.object_id',
  'm.conversation_id',
  'm.author_type',
  'm.author_user_id',
  'm.body',
  'm.visibility',
  'm.attachments',
  'm.created_at',
  ...prefixed('a', AGENT_COLUMNS, 'a_'),
] as const;

/**
 * Messages with their agent authors. An end-user author is always the conversation's end-user,
 * so it is read once per page rather than joined into every row.
 */
export function messageQuery(db: Kysely<Schema>) {
  return db.selectFrom('messages as m').leftJoin('agents as a', 'a.id', 'm.author_agent_id').select(MESSAGE_COLUMNS);
}

/**
 * PostgreSQL only (SQLite has no data-modifying WITH): inserts a message unless its `object_id`
 * is taken, and gives the row `messageQuery` would read afterwards (none after a conflict), in one
 * statement instead of two.
 */
export function insertMessageReturningRow(db: Kysely<Schema>, values: Insertable<Schema['messages']>) {
  return db
    .with('inserted', (qb) =>
      qb
        .insertInto('messages')
        .values(values)
        .onConflict((conflict) => conflict.doNothing())
        .returningAll(),
    )
    .selectFrom('inserted as m')
    .leftJoin('agents as a', 'a.id', 'm.author_agent_id')
    .select(MESSAGE_COLUMNS);
}

/** A message as `messageQuery` reads it. */
export type MessageRow = Awaited<ReturnType<ReturnType<typeof messageQuery>['execute']>>[number];
