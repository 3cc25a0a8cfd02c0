/**
 * Activity: an append-only record of what happened to each conversation (domain/activity/), one
 * row per event with its time, kind, actor and details (JSON). Reports scan it by time range, so
 * it is indexed by time, by kind and time, and by conversation and time. Rows go with their
 * conversation.
 */
import type { DialectMigration } from './dialect-migration.js';

export const activity: DialectMigration = {
  sqlite: [
    `CREATE TABLE conversation_activity (
      id TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      at TEXT NOT NULL,
      kind TEXT NOT NULL,
      actor_type TEXT NOT NULL CHECK (actor_type IN ('fin', 'agent', 'end_user', 'system')),
      actor_id TEXT,
      details TEXT NOT NULL DEFAULT '{}'
    ) STRICT`,
    'CREATE INDEX conversation_activity_conversation ON conversation_activity (conversation_id, at, id)',
    'CREATE INDEX conversation_activity_at ON conversation_activity (at, id)',
    'CREATE INDEX conversation_activity_kind ON conversation_activity (kind, at, id)',
  ],
  postgres: [
    `CREATE TABLE conversation_activity (
      id text PRIMARY KEY,
      conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      at timestamptz(3) NOT NULL,
      kind text NOT NULL,
      actor_type text NOT NULL CHECK (actor_type IN ('fin', 'agent', 'end_user', 'system')),
      actor_id text,
      details jsonb NOT NULL DEFAULT '{}'
    )`,
    'CREATE INDEX conversation_activity_conversation ON conversation_activity (conversation_id, at, id)',
    'CREATE INDEX conversation_activity_at ON conversation_activity (at, id)',
    'CREATE INDEX conversation_activity_kind ON conversation_activity (kind, at, id)',
  ],
};
