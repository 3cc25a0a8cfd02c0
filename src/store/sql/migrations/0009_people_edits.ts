/**
 * Fin and people never undo each other. `unread_at`: when an end-user message arrived while a
 * person held the conversation, until that person opens it (null: nothing unread). `people_edits`:
 * JSON, which fields people changed and what Fin has read since (domain/people-edits.ts), null
 * while people changed nothing; Fin's updates are judged against it. Existing rows start with
 * neither: what people changed before this migration is not known, so Fin's updates apply to it
 * as they did.
 */
import type { DialectMigration } from './dialect-migration.js';

export const peopleEdits: DialectMigration = {
  sqlite: ['ALTER TABLE conversations ADD COLUMN unread_at TEXT', 'ALTER TABLE conversations ADD COLUMN people_edits TEXT'],
  postgres: ['ALTER TABLE conversations ADD COLUMN unread_at timestamptz(3)', 'ALTER TABLE conversations ADD COLUMN people_edits jsonb'],
};
