/**
 * Search by words Finch computes itself (domain/search-words.ts), the same on both databases.
 * 0003 let each database split text into words: SQLite's unicode61 tokenizer cut words of scripts
 * written with combining marks into pieces (दान became द and न, so it found दिन), and
 * PostgreSQL's parser splits by its own rules (e-mail addresses, hyphenated words and version
 * numbers are single words there, and letter classes follow the server's locale).
 *
 * Now `conversations.title_words` and `messages.body_words` hold the words, joined by single
 * spaces, and the databases only split on those spaces: FTS5 with the `ascii` tokenizer (every
 * non-ASCII character is part of a word; the words hold no ASCII punctuation), and on PostgreSQL a
 * GIN index over `array_to_tsvector(string_to_array(…, ' '))`, which takes each word as a lexeme
 * as it is, no parser and no locale involved. `messages.body_text` (0003's plain text) is only used
 * to fill `body_words` here, then dropped.
 */
import type { Kysely } from 'kysely';
import type { DialectMigration } from './dialect-migration.js';

export const searchWords: DialectMigration = {
  sqlite: [
    `DROP TRIGGER messages_fts_insert`,
    `DROP TRIGGER messages_fts_update`,
    `DROP TRIGGER conversations_fts_insert`,
    `DROP TRIGGER conversations_fts_update`,
    `DROP TABLE messages_fts`,
    `DROP TABLE conversations_fts`,
    `ALTER TABLE messages ADD COLUMN body_words TEXT`,
    `ALTER TABLE conversations ADD COLUMN title_words TEXT`,
  ],
  postgres: [
    `DROP INDEX messages_search`,
    `DROP INDEX conversations_search`,
    `ALTER TABLE messages ADD COLUMN body_words text`,
    `ALTER TABLE conversations ADD COLUMN title_words text`,
  ],
  /** The indexes are built once every row has its words (faster, and no trigger fires meanwhile). */
  afterBackfill: {
    sqlite: [
      `CREATE VIRTUAL TABLE messages_fts USING fts5(body_words, content = 'messages', content_rowid = 'rowid', tokenize = 'ascii')`,
      `CREATE VIRTUAL TABLE conversations_fts USING fts5(title_words, content = 'conversations', content_rowid = 'rowid', tokenize = 'ascii')`,
      `INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`,
      `INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild')`,
      ...['messages:body_words', 'conversations:title_words'].flatMap((pair) => {
        const [table, column] = pair.split(':') as [string, string];
        return [
          `CREATE TRIGGER ${table}_fts_insert AFTER INSERT ON ${table} BEGIN
            INSERT INTO ${table}_fts (rowid, ${column}) VALUES (new.rowid, new.${column});
          END`,
          `CREATE TRIGGER ${table}_fts_update AFTER UPDATE OF ${column} ON ${table} BEGIN
            INSERT INTO ${table}_fts (${table}_fts, rowid, ${column}) VALUES ('delete', old.rowid, old.${column});
            INSERT INTO ${table}_fts (rowid, ${column}) VALUES (new.rowid, new.${column});
          END`,
          // Finch deletes neither, but a row deleted by hand must not leave words behind for a
          // later row that reuses its rowid.
          `CREATE TRIGGER ${table}_fts_delete AFTER DELETE ON ${table} BEGIN
            INSERT INTO ${table}_fts (${table}_fts, rowid, ${column}) VALUES ('delete', old.rowid, old.${column});
          END`,
        ];
      }),
      `ALTER TABLE messages DROP COLUMN body_text`,
    ],
    postgres: [
      `CREATE INDEX messages_words ON messages USING gin (array_to_tsvector(string_to_array(body_words, ' ')))`,
      `CREATE INDEX conversations_words ON conversations USING gin (array_to_tsvector(string_to_array(title_words, ' ')))`,
      `ALTER TABLE messages DROP COLUMN body_text`,
    ],
  },
  /** Every existing title and message gets its words, in batches, in id order. */
  backfill: async (db: Kysely<any>) => {
    await fill(db, 'conversations', 'title', 'title_words');
    await fill(db, 'messages', 'body_text', 'body_words');
  },
};

async function fill(db: Kysely<any>, table: string, source: string, target: string): Promise<void> {
  let after = '';
  for (;;) {
    const rows: { id: string; text: string | null }[] = await db
      .selectFrom(table)
      .select(['id', `${source} as text`])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (rows.length === 0) return;
    for (const row of rows) {
      if (row.text !== null)
        await db
          .updateTable(table)
          .set({ [target]: frozenSearchText(row.text) })
          .where('id', '=', row.id)
          .execute();
    }
    after = rows.at(-1)!.id;
  }
}

/*
 * A frozen copy of domain/search-words.ts as it was when this migration was written: a migration
 * must compute what it computed then, whatever the live tokenizer becomes. A later change to the
 * rule ships its own migration that rewrites the words.
 */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: single code points, the joiners among them on purpose
const INVISIBLE = /[\u00AD\u200C\u200D\u2060\uFEFF]/gu;
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;
const MAX_WORD_LENGTH = 256;

function frozenSearchText(text: string): string {
  const folded = text.normalize('NFKD').toLowerCase().replace(INVISIBLE, '').replace(LATIN_MARKS, '$1').normalize('NFC');
  return (folded.match(WORD) ?? []).map((word) => (word.length > MAX_WORD_LENGTH ? [...word].slice(0, MAX_WORD_LENGTH).join('') : word)).join(' ');
}
