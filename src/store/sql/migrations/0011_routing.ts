/**
 * Automatic assignment. `agents.capacity`: how many open conversations routing may give the agent
 * (null: the team's default, the `routing` setting); `agents.last_routed_at`: when routing last
 * gave them one (round robin takes turns by it, balanced breaks ties by it). The index serves the
 * count of each agent's open conversations that every routing decision reads.
 */
import type { DialectMigration } from './dialect-migration.js';

export const routing: DialectMigration = {
  sqlite: [
    'ALTER TABLE agents ADD COLUMN capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0)',
    'ALTER TABLE agents ADD COLUMN last_routed_at TEXT',
    `CREATE INDEX conversations_open_by_assignee ON conversations (assignee_id) WHERE status = 'open'`,
  ],
  postgres: [
    'ALTER TABLE agents ADD COLUMN capacity integer CHECK (capacity IS NULL OR capacity >= 0)',
    'ALTER TABLE agents ADD COLUMN last_routed_at timestamptz(3)',
    `CREATE INDEX conversations_open_by_assignee ON conversations (assignee_id) WHERE status = 'open'`,
  ],
};
