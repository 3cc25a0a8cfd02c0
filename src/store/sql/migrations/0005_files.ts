/**
 * Files agents attach to replies, kept in the database so every Finch node can serve them (no
 * shared disk needed). They are small (FINCH_ATTACHMENT_LIMIT, 10 MB by default).
 */
import type { DialectMigration } from './dialect-migration.js';

export const files: DialectMigration = {
  sqlite: [
    `CREATE TABLE files (
      id TEXT PRIMARY KEY,
      filename TEXT NOT NULL,
      content_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      data BLOB NOT NULL,
      uploaded_by TEXT REFERENCES agents (id),
      created_at TEXT NOT NULL
    ) STRICT`,
  ],
  postgres: [
    `CREATE TABLE files (
      id text PRIMARY KEY,
      filename text NOT NULL,
      content_type text NOT NULL,
      size integer NOT NULL,
      data bytea NOT NULL,
      uploaded_by text REFERENCES agents (id),
      created_at timestamptz(3) NOT NULL
    )`,
  ],
};
