/**
 * Search for the inbox: words in conversation titles and in messages (as plain text, tags
 * stripped), found through an index on both databases. SQLite uses FTS5 tables kept current by
 * triggers; PostgreSQL GIN indexes over `to_tsvector('simple', …)`. Both match whole words and word
 * prefixes, without stemming, so the same search finds the same conversations on either.
 */
import type { Kysely } from 'kysely';
import sanitizeHtml from 'sanitize-html';
import type { DialectMigration } from './dialect-migration.js';

export const search: DialectMigration = {
  sqlite: [
    `ALTER TABLE messages ADD COLUMN body_text TEXT`,
    `CREATE VIRTUAL TABLE messages_fts USING fts5(body_text, content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2')`,
    `CREATE VIRTUAL TABLE conversations_fts USING fts5(title, content = 'conversations', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2')`,
    `CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
      INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
    END`,
    `CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
      INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
      INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
    END`,
    `INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild')`,
  ],
  postgres: [
    `ALTER TABLE messages ADD COLUMN body_text text`,
    `CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', coalesce(body_text, '')))`,
    `CREATE INDEX conversations_search ON conversations USING gin (to_tsvector('simple', coalesce(title, '')))`,
  ],
  /**
   * The FTS5 index of messages is built once the text is there, and only then do triggers keep it
   * current: an update trigger firing during the backfill would remove entries that never existed.
   */
  afterBackfill: {
    sqlite: [
      `INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`,
      `CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, body_text) VALUES (new.rowid, new.body_text);
      END`,
      `CREATE TRIGGER messages_fts_update AFTER UPDATE OF body_text ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body_text) VALUES ('delete', old.rowid, old.body_text);
        INSERT INTO messages_fts (rowid, body_text) VALUES (new.rowid, new.body_text);
      END`,
    ],
  },
  /** Messages written before this migration get their text. */
  backfill: async (db: Kysely<any>) => {
    for (;;) {
      const rows: { id: string; body: string | null }[] = await db
        .selectFrom('messages')
        .select(['id', 'body'])
        .where('body_text', 'is', null)
        .where('body', 'is not', null)
        .limit(1000)
        .execute();
      if (rows.length === 0) return;
      for (const row of rows)
        await db
          .updateTable('messages')
          .set({ body_text: frozenHtmlToText(row.body) })
          .where('id', '=', row.id)
          .execute();
    }
  },
};

/*
 * A frozen copy of domain/content.ts's `htmlToText` as it was when this migration was written: a
 * fresh installation must fill `body_text` exactly as existing ones did, whatever the live rule
 * becomes. The HTML parsing itself stays sanitize-html's (no tags allowed: text only), the version
 * this migration ran with (~2.17, locked at 2.17.5); copying an HTML parser here would be less
 * faithful than the library. test/architecture.test.ts allows this one import and no other.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Exported for test/search/html-to-text.test.ts, which holds the live rule to this one. */
export function frozenHtmlToText(html: string | null): string {
  if (html === null) return '';
  return sanitizeHtml(html.replace(/<(br|\/p|\/h[1-6]|\/li)\s*\/?>/gi, ' $&'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}
