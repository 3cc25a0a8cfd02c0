/**
 * Bulk loading a Finch PostgreSQL database: rows are made server-side by INSERT … SELECT FROM
 * generate_series, in batches of tens of thousands of conversations, one transaction each. All
 * indexes and constraints stay in place: rows arrive in key order (see dataset.ts), so every index
 * grows at its right edge.
 */
import pg from 'pg';
import { BASE_EPOCH_SECONDS, BODY_FILLER, CONVERSATION_SPACING_SECONDS, INDEX_DIGITS, MESSAGE_SPACING_SECONDS, type BulkLoad } from './dataset.js';

// Parameters, numbered alike in every statement: $1 tag, $2 first conversation, $3 last + 1,
// $4 Fin agent, $5 messages per conversation, $6 body filler. Casts give them their types.
const id = (prefix: string, numberExpression: string) => `'${prefix}_' || $1::text || lpad((${numberExpression})::text, ${INDEX_DIGITS}, '0')`;
const at = (secondsExpression: string) => `to_timestamp(${BASE_EPOCH_SECONDS} + ${secondsExpression})`;
const start = `i * ${CONVERSATION_SPACING_SECONDS}`;
const RANGE = `generate_series($2::bigint, $3::bigint - 1) AS i`;

const INSERT_USERS = `
  INSERT INTO end_users (id, object_id, name, email, photo_url, attributes, created_at, updated_at)
  SELECT ${id('user', 'i')}, NULL, 'User ' || i, 'user' || i || '@example.test', NULL, '{}', ${at(start)}, ${at(start)}
  FROM ${RANGE}`;

const INSERT_CONVERSATIONS = `
  INSERT INTO conversations (id, object_id, user_id, assignee_id, status, title, tags, attributes, last_user_read_at, created_at, updated_at)
  SELECT ${id('conv', 'i')}, NULL, ${id('user', 'i')}, $4::text, 'open', 'Conversation ' || i, '[]', '{}', NULL,
         ${at(start)}, ${at(`${start} + ($5::int - 1) * ${MESSAGE_SPACING_SECONDS}`)}
  FROM ${RANGE}`;

// LATERAL makes i the outer loop, so messages are written conversation by conversation, in the
// order of messages_thread.
const INSERT_MESSAGES = `
  INSERT INTO messages (id, object_id, conversation_id, author_type, author_user_id, author_agent_id, body, visibility, attachments, created_at)
  SELECT ${id('msg', 'i * $5::int + j')}, NULL, ${id('conv', 'i')},
         CASE WHEN j % 2 = 0 THEN 'end_user' ELSE 'agent' END,
         CASE WHEN j % 2 = 0 THEN ${id('user', 'i')} END,
         CASE WHEN j % 2 = 1 THEN $4::text END,
         format('<p>Message %s of conversation %s. %s</p>', j + 1, i, $6::text), 'public', '[]',
         ${at(`${start} + j * ${MESSAGE_SPACING_SECONDS}`)}
  FROM ${RANGE} CROSS JOIN LATERAL generate_series(0, $5::int - 1) AS j`;

/** PostgreSQL refuses parameters a statement does not use, so each gets the first n. */
const STATEMENTS: [sql: string, parameterCount: number][] = [
  [INSERT_USERS, 3],
  [INSERT_CONVERSATIONS, 5],
  [INSERT_MESSAGES, 6],
];

export async function loadPostgres(databaseUrl: string, load: BulkLoad): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Allowed to any user, and safe here: a crash loses the last batches, never consistency.
    await client.query('SET synchronous_commit = off');
    // Foreign keys are checked by a trigger per row and key, which more than doubles the load
    // time. The rows reference each other by construction, so a superuser's session turns
    // triggers off for the load (replica role); anyone else's load is only slower.
    await client.query('SET session_replication_role = replica').catch(() => {
      load.log('  (not a superuser: foreign keys are checked row by row, which is slower)');
    });
    const { shape } = load;
    for (let from = 0; from < shape.conversations; from += load.batchConversations) {
      const to = Math.min(shape.conversations, from + load.batchConversations);
      const parameters = [shape.tag, from, to, load.finAgentId, shape.messagesPerConversation, BODY_FILLER];
      await client.query('BEGIN');
      for (const [sql, count] of STATEMENTS) await client.query(sql, parameters.slice(0, count));
      await client.query('COMMIT');
      load.onBatch(to);
    }
  } finally {
    await client.end();
  }
}

/**
 * VACUUM ANALYZE rather than only ANALYZE: besides the planner's statistics it sets the hint bits
 * and the visibility map, as autovacuum would have long since done on a live database. Without it
 * the first read of each page after the load writes to it, and that would be measured instead.
 */
export async function analyzePostgres(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE) end_users, conversations, messages');
  } finally {
    await client.end();
  }
}
