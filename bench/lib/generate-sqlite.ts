/**
 * Bulk loading a Finch SQLite file. Rows are made inside SQLite by INSERT … SELECT over a
 * recursive CTE (this SQLite has no generate_series), so no row crosses into JavaScript, in
 * transactions of tens of thousands of conversations. All indexes stay in place: rows arrive in
 * key order (see dataset.ts), so every index grows at its right edge and stays cheap to maintain.
 */
import BetterSqlite3 from 'better-sqlite3';
import { BASE_EPOCH_SECONDS, BODY_FILLER, CONVERSATION_SPACING_SECONDS, INDEX_DIGITS, MESSAGE_SPACING_SECONDS, type BulkLoad } from './dataset.js';

/** Conversation numbers from @from to @to - 1 (cast: better-sqlite3 binds JS numbers as REAL, which would print as "7.0"). */
const RANGE = `WITH RECURSIVE n(i) AS (SELECT CAST(@from AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @to)`;
/** Finch's timestamp format, ISO 8601 UTC with milliseconds, as Date.toISOString() writes it. */
const iso = (secondsExpression: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${secondsExpression}, 'unixepoch')`;
const id = (prefix: string, numberExpression: string) => `printf('${prefix}_%s%0${INDEX_DIGITS}d', @tag, ${numberExpression})`;
const start = `@base + n.i * @conversationSpacing`;

const INSERT_USERS = `${RANGE}
  INSERT INTO end_users (id, object_id, name, email, photo_url, attributes, created_at, updated_at)
  SELECT ${id('user', 'n.i')}, NULL, 'User ' || n.i, 'user' || n.i || '@example.test', NULL, '{}', ${iso(start)}, ${iso(start)}
  FROM n`;

const INSERT_CONVERSATIONS = `${RANGE}
  INSERT INTO conversations (id, object_id, user_id, assignee_id, status, title, tags, attributes, last_user_read_at, created_at, updated_at)
  SELECT ${id('conv', 'n.i')}, NULL, ${id('user', 'n.i')}, @finAgentId, 'open', 'Conversation ' || n.i, '[]', '{}', NULL,
         ${iso(start)}, ${iso(`${start} + (@messagesPer - 1) * @messageSpacing`)}
  FROM n`;

// CROSS JOIN makes n the outer loop in SQLite (without the cost of an ORDER BY), so messages are
// written conversation by conversation, in the order of messages_thread.
const INSERT_MESSAGES = `${RANGE}
  INSERT INTO messages (id, object_id, conversation_id, author_type, author_user_id, author_agent_id, body, visibility, attachments, created_at)
  SELECT ${id('msg', 'n.i * @messagesPer + m.j')}, NULL, ${id('conv', 'n.i')},
         CASE WHEN m.j % 2 = 0 THEN 'end_user' ELSE 'agent' END,
         CASE WHEN m.j % 2 = 0 THEN ${id('user', 'n.i')} END,
         CASE WHEN m.j % 2 = 1 THEN @finAgentId END,
         printf('<p>Message %d of conversation %d. %s</p>', m.j + 1, n.i, @filler), 'public', '[]',
         ${iso(`${start} + m.j * @messageSpacing`)}
  FROM n CROSS JOIN temp.bench_message_numbers AS m`;

export function loadSqlite(file: string, load: BulkLoad): void {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    // A generator can be re-run, so durability is traded for speed while it writes: no fsync, and
    // the big cache keeps index pages in memory. Foreign keys are not checked row by row (that is
    // three extra index lookups per message): the rows reference each other by construction.
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576'); // KiB: 1 GiB
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');

    const { shape } = load;
    db.exec('CREATE TEMP TABLE bench_message_numbers (j INTEGER PRIMARY KEY)');
    const addNumber = db.prepare('INSERT INTO temp.bench_message_numbers (j) VALUES (?)');
    for (let j = 0; j < shape.messagesPerConversation; j++) addNumber.run(j);

    const statements = [INSERT_USERS, INSERT_CONVERSATIONS, INSERT_MESSAGES].map((sql) => db.prepare(sql));
    const insertBatch = db.transaction((from: number, to: number) => {
      const parameters = {
        from,
        to,
        tag: shape.tag,
        finAgentId: load.finAgentId,
        base: BASE_EPOCH_SECONDS,
        conversationSpacing: CONVERSATION_SPACING_SECONDS,
        messageSpacing: MESSAGE_SPACING_SECONDS,
        messagesPer: shape.messagesPerConversation,
        filler: BODY_FILLER,
      };
      // better-sqlite3 ignores the named parameters a statement does not use.
      for (const statement of statements) statement.run(parameters);
    });
    for (let from = 0; from < shape.conversations; from += load.batchConversations) {
      const to = Math.min(shape.conversations, from + load.batchConversations);
      insertBatch(from, to);
      load.onBatch(to);
    }
    db.exec('DROP TABLE temp.bench_message_numbers');
  } finally {
    db.close();
  }
}

/** Statistics for the query planner, then the WAL folded into the database file. */
export function analyzeSqlite(file: string): void {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
