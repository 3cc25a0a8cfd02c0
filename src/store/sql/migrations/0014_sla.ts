/**
 * Service levels. `handed_over_at`: when the conversation was handed to people, until the first
 * human reply (the SLA clock's start; set whether or not a target is configured); `reply_due_at`:
 * when that first reply is due, counted in business hours (null without a target, or once
 * answered); `resolve_due_at`: when resolving is due (optional target); `sla_breached_at`: when a
 * target was first missed. Waiting conversations sort by `reply_due_at`; the SLA job scans the due
 * times not yet recorded as missed.
 * The job's marks, one per target and kind, each set once per SLA clock by one conditional
 * UPDATE (cleared when a new hand-over starts the clock again): `reply_warned_at`,
 * `reply_breached_at`, `resolve_warned_at`, `resolve_breached_at`. Waiting sorted by due time
 * reads two keyed ranges, each with an index of its own: those with a due time by
 * (`reply_due_at`, id), then those without by (`assigned_at`, id).
 */
import type { DialectMigration } from './dialect-migration.js';

const MARKS = ['reply_warned_at', 'reply_breached_at', 'resolve_warned_at', 'resolve_breached_at'];

const WAITING = "assignee_id IS NULL AND status = 'open'";
const INDEXES = [
  // The SLA job's scans: running targets not yet recorded as missed (a breach is the last mark).
  'CREATE INDEX conversations_reply_due ON conversations (reply_due_at, id) WHERE reply_due_at IS NOT NULL AND reply_breached_at IS NULL',
  'CREATE INDEX conversations_resolve_due ON conversations (resolve_due_at, id) WHERE resolve_due_at IS NOT NULL AND resolve_breached_at IS NULL',
  `CREATE INDEX conversations_waiting_due ON conversations (reply_due_at, id) WHERE ${WAITING} AND reply_due_at IS NOT NULL`,
  `CREATE INDEX conversations_waiting_dueless ON conversations (assigned_at, id) WHERE ${WAITING} AND reply_due_at IS NULL`,
];

export const sla: DialectMigration = {
  sqlite: [
    'ALTER TABLE conversations ADD COLUMN handed_over_at TEXT',
    'ALTER TABLE conversations ADD COLUMN reply_due_at TEXT',
    'ALTER TABLE conversations ADD COLUMN resolve_due_at TEXT',
    'ALTER TABLE conversations ADD COLUMN sla_breached_at TEXT',
    ...MARKS.map((column) => `ALTER TABLE conversations ADD COLUMN ${column} TEXT`),
    ...INDEXES,
  ],
  postgres: [
    'ALTER TABLE conversations ADD COLUMN handed_over_at timestamptz(3)',
    'ALTER TABLE conversations ADD COLUMN reply_due_at timestamptz(3)',
    'ALTER TABLE conversations ADD COLUMN resolve_due_at timestamptz(3)',
    'ALTER TABLE conversations ADD COLUMN sla_breached_at timestamptz(3)',
    ...MARKS.map((column) => `ALTER TABLE conversations ADD COLUMN ${column} timestamptz(3)`),
    ...INDEXES,
  ],
};
