/**
 * Presence: who of the team is around. `agents.presence` is what the agent chose (`online`, or
 * `away` by the toggle or after the inbox saw them idle, `presence_automatic` saying the inbox chose it, so
 * that activity brings them back only from an away they did not choose); `agent_connections` holds one row per open
 * inbox (its live event stream), on whichever node serves it, renewed while it stays open and
 * ended when it closes; a crashed node's rows simply expire. An agent with no live row is offline.
 * A connection also says which conversation its inbox shows (`viewing`) and when its agent last
 * typed a reply there (`typing_at`), so every node can tell agents who else is on a conversation.
 */
import type { DialectMigration } from './dialect-migration.js';

export const presence: DialectMigration = {
  sqlite: [
    `ALTER TABLE agents ADD COLUMN presence TEXT NOT NULL DEFAULT 'online' CHECK (presence IN ('online', 'away'))`,
    'ALTER TABLE agents ADD COLUMN presence_automatic INTEGER NOT NULL DEFAULT 0 CHECK (presence_automatic IN (0, 1))',
    'ALTER TABLE agents ADD COLUMN presence_changed_at TEXT',
    `CREATE TABLE agent_connections (
      id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents (id),
      node TEXT NOT NULL,
      opened_at TEXT NOT NULL,
      seen_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      viewing TEXT,
      typing_at TEXT
    ) STRICT`,
    'CREATE INDEX agent_connections_agent ON agent_connections (agent_id, expires_at)',
    'CREATE INDEX agent_connections_expiry ON agent_connections (expires_at)',
    'CREATE INDEX agent_connections_viewing ON agent_connections (viewing) WHERE viewing IS NOT NULL',
  ],
  postgres: [
    `ALTER TABLE agents ADD COLUMN presence text NOT NULL DEFAULT 'online' CHECK (presence IN ('online', 'away'))`,
    'ALTER TABLE agents ADD COLUMN presence_automatic boolean NOT NULL DEFAULT false',
    'ALTER TABLE agents ADD COLUMN presence_changed_at timestamptz(3)',
    `CREATE TABLE agent_connections (
      id text PRIMARY KEY,
      agent_id text NOT NULL REFERENCES agents (id),
      node text NOT NULL,
      opened_at timestamptz(3) NOT NULL,
      seen_at timestamptz(3) NOT NULL,
      expires_at timestamptz(3) NOT NULL,
      viewing text,
      typing_at timestamptz(3)
    )`,
    'CREATE INDEX agent_connections_agent ON agent_connections (agent_id, expires_at)',
    'CREATE INDEX agent_connections_expiry ON agent_connections (expires_at)',
    'CREATE INDEX agent_connections_viewing ON agent_connections (viewing) WHERE viewing IS NOT NULL',
  ],
};
