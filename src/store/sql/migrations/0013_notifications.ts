/**
 * Notifications beyond the open tab: each agent's choices (`agents.notification_prefs`, JSON; null:
 * the defaults), and an outbox of its own (`notifications`): one row per event and recipient,
 * written in the transaction of the change it tells of, then sent by a sender loop (email over SMTP,
 * or a post to the team's chat webhook), retried, its outcome kept. `event_key` names the event, so
 * one event is one notification per recipient (unique).
 */
import type { DialectMigration } from './dialect-migration.js';

export const notifications: DialectMigration = {
  sqlite: [
    'ALTER TABLE agents ADD COLUMN notification_prefs TEXT',
    `CREATE TABLE notifications (
      id TEXT PRIMARY KEY,
      channel TEXT NOT NULL CHECK (channel IN ('email', 'chat')),
      event TEXT NOT NULL,
      event_key TEXT NOT NULL,
      conversation_id TEXT,
      agent_id TEXT,
      recipient TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'sent', 'dead', 'dropped')),
      attempts INTEGER NOT NULL DEFAULT 0,
      available_at TEXT NOT NULL,
      claimed_by TEXT,
      last_error TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      sent_at TEXT,
      UNIQUE (event_key, channel, recipient)
    ) STRICT`,
    `CREATE INDEX notifications_due ON notifications (available_at) WHERE status IN ('pending', 'in_flight')`,
    'CREATE INDEX notifications_created ON notifications (created_at)',
    // The grouping of bursts asks when each recipient's last email went or the next will go.
    'CREATE INDEX notifications_recipient ON notifications (recipient, available_at)',
  ],
  postgres: [
    'ALTER TABLE agents ADD COLUMN notification_prefs jsonb',
    `CREATE TABLE notifications (
      id text PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('email', 'chat')),
      event text NOT NULL,
      event_key text NOT NULL,
      conversation_id text,
      agent_id text,
      recipient text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'in_flight', 'sent', 'dead', 'dropped')),
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz(3) NOT NULL,
      claimed_by text,
      last_error text,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      sent_at timestamptz(3),
      UNIQUE (event_key, channel, recipient)
    )`,
    `CREATE INDEX notifications_due ON notifications (available_at) WHERE status IN ('pending', 'in_flight')`,
    'CREATE INDEX notifications_created ON notifications (created_at)',
    // The grouping of bursts asks when each recipient's last email went or the next will go.
    'CREATE INDEX notifications_recipient ON notifications (recipient, available_at)',
  ],
};
