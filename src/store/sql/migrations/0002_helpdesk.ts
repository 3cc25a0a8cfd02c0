/**
 * The helpdesk side: agent sessions, settings, the outbox of events for Fin and the log of every
 * delivery attempt, and what the inbox needs to know about a conversation (when its assignee last
 * changed, whether Fin is out of sync with it, why it was routed to people).
 *
 * The outbox keeps at most one pending sync event per conversation (a partial unique index), which
 * is what lets changes coalesce: Fin pulls the current state, so one notification covers them all.
 */
import type { DialectMigration } from './dialect-migration.js';

export const helpdesk: DialectMigration = {
  sqlite: [
    `CREATE TABLE agent_sessions (
      token_hash TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL REFERENCES agents (id),
      csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL,
      revoked_at TEXT
    ) STRICT`,
    `CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id)`,
    `CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `ALTER TABLE conversations ADD COLUMN assigned_at TEXT`,
    `ALTER TABLE conversations ADD COLUMN fin_sync_failed_at TEXT`,
    `ALTER TABLE conversations ADD COLUMN handover_reason TEXT`,
    `UPDATE conversations SET assigned_at = created_at`,
    `CREATE INDEX conversations_activity ON conversations (updated_at, id)`,
    `CREATE INDEX conversations_assignee_activity ON conversations (assignee_id, updated_at, id)`,
    `CREATE INDEX conversations_waiting ON conversations (assigned_at, id) WHERE assignee_id IS NULL AND status = 'open'`,
    `CREATE TABLE outbox_events (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('sync', 'typing')),
      conversation_id TEXT NOT NULL REFERENCES conversations (id),
      agent_id TEXT REFERENCES agents (id),
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'expired', 'superseded')),
      attempts INTEGER NOT NULL DEFAULT 0,
      coalesced INTEGER NOT NULL DEFAULT 0,
      available_at TEXT NOT NULL,
      expires_at TEXT,
      claimed_by TEXT,
      last_error TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      delivered_at TEXT
    ) STRICT`,
    `CREATE UNIQUE INDEX outbox_one_pending_sync ON outbox_events (conversation_id) WHERE kind = 'sync' AND status = 'pending'`,
    `CREATE INDEX outbox_due ON outbox_events (available_at) WHERE status IN ('pending', 'in_flight')`,
    `CREATE INDEX outbox_created ON outbox_events (created_at)`,
    `CREATE INDEX outbox_conversation ON outbox_events (conversation_id, created_at)`,
    `CREATE TABLE webhook_deliveries (
      id TEXT PRIMARY KEY,
      event_id TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
      conversation_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      url TEXT NOT NULL,
      status_code INTEGER,
      latency_ms INTEGER,
      response_excerpt TEXT,
      error TEXT,
      outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead', 'expired', 'disabled')),
      next_attempt_at TEXT,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at, id)`,
    `CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)`,
    `CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation_id, created_at, id)`,
    `CREATE INDEX outbox_finished ON outbox_events (updated_at) WHERE status IN ('delivered', 'dead', 'expired', 'superseded')`,
  ],
  postgres: [
    `CREATE TABLE agent_sessions (
      token_hash text PRIMARY KEY,
      agent_id text NOT NULL REFERENCES agents (id),
      csrf_token text NOT NULL,
      created_at timestamptz(3) NOT NULL,
      expires_at timestamptz(3) NOT NULL,
      last_seen_at timestamptz(3) NOT NULL,
      revoked_at timestamptz(3)
    )`,
    `CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id)`,
    `CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )`,
    `ALTER TABLE conversations ADD COLUMN assigned_at timestamptz(3)`,
    `ALTER TABLE conversations ADD COLUMN fin_sync_failed_at timestamptz(3)`,
    `ALTER TABLE conversations ADD COLUMN handover_reason text`,
    `UPDATE conversations SET assigned_at = created_at`,
    `CREATE INDEX conversations_activity ON conversations (updated_at, id)`,
    `CREATE INDEX conversations_assignee_activity ON conversations (assignee_id, updated_at, id)`,
    `CREATE INDEX conversations_waiting ON conversations (assigned_at, id) WHERE assignee_id IS NULL AND status = 'open'`,
    `CREATE INDEX conversations_tags ON conversations USING gin (tags jsonb_path_ops)`,
    `CREATE TABLE outbox_events (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('sync', 'typing')),
      conversation_id text NOT NULL REFERENCES conversations (id),
      agent_id text REFERENCES agents (id),
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'in_flight', 'delivered', 'dead', 'expired', 'superseded')),
      attempts integer NOT NULL DEFAULT 0,
      coalesced integer NOT NULL DEFAULT 0,
      available_at timestamptz(3) NOT NULL,
      expires_at timestamptz(3),
      claimed_by text,
      last_error text,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      delivered_at timestamptz(3)
    )`,
    `CREATE UNIQUE INDEX outbox_one_pending_sync ON outbox_events (conversation_id) WHERE kind = 'sync' AND status = 'pending'`,
    `CREATE INDEX outbox_due ON outbox_events (available_at) WHERE status IN ('pending', 'in_flight')`,
    `CREATE INDEX outbox_created ON outbox_events (created_at)`,
    `CREATE INDEX outbox_conversation ON outbox_events (conversation_id, created_at)`,
    `CREATE TABLE webhook_deliveries (
      id text PRIMARY KEY,
      event_id text NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
      conversation_id text NOT NULL,
      kind text NOT NULL,
      attempt integer NOT NULL,
      url text NOT NULL,
      status_code integer,
      latency_ms integer,
      response_excerpt text,
      error text,
      outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead', 'expired', 'disabled')),
      next_attempt_at timestamptz(3),
      created_at timestamptz(3) NOT NULL
    )`,
    `CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at, id)`,
    `CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)`,
    `CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation_id, created_at, id)`,
    `CREATE INDEX outbox_finished ON outbox_events (updated_at) WHERE status IN ('delivered', 'dead', 'expired', 'superseded')`,
  ],
};
