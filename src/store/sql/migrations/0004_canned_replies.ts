/**
 * Canned replies: texts agents insert with `/` in the composer, shared by every agent. The
 * shortcut is what they type after the slash, unique across the helpdesk.
 */
import type { DialectMigration } from './dialect-migration.js';

export const cannedReplies: DialectMigration = {
  sqlite: [
    `CREATE TABLE canned_replies (
      id TEXT PRIMARY KEY,
      shortcut TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      created_by TEXT REFERENCES agents (id),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies (shortcut)`,
  ],
  postgres: [
    `CREATE TABLE canned_replies (
      id text PRIMARY KEY,
      shortcut text NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      created_by text REFERENCES agents (id),
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )`,
    `CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies (shortcut)`,
  ],
};
