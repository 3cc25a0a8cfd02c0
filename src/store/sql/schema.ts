/**
 * The SQL tables as Kysely sees them. The same queries run on SQLite and PostgreSQL, so column
 * types are the common ground: JSON columns read back as text (SQLite) or parsed values (jsonb)
 * and are written as JSON text; timestamps travel as ISO 8601 strings (TEXT in SQLite,
 * timestamptz in PostgreSQL, turned back into ISO strings by a type parser); booleans are written
 * as 0/1, which both accept, and read back as 0/1 or true/false.
 */
import type { ColumnType, Insertable, Selectable } from 'kysely';

type Json = ColumnType<unknown, string, string>;
type Flag = ColumnType<number | boolean, number, number>;

export interface EndUsersTable {
  id: string;
  object_id: string | null;
  name: string | null;
  email: string | null;
  photo_url: string | null;
  attributes: Json;
  created_at: string;
  updated_at: string;
}

export interface AgentsTable {
  id: string;
  name: string;
  email: string;
  alias: string | null;
  photo_url: string | null;
  role: 'admin' | 'agent';
  is_fin: Flag;
  active: Flag;
  password_hash: string | null;
  // Presence (migrations/0010_presence.ts): what the agent chose; offline is having no live connection.
  presence: ColumnType<'online' | 'away', 'online' | 'away' | undefined, 'online' | 'away'>;
  /** The inbox chose `presence` (it saw the agent idle), so activity may end it. */
  presence_automatic: ColumnType<number | boolean, number | undefined, number>;
  presence_changed_at: ColumnType<string | null, string | null | undefined, string | null>;
  // Routing (migrations/0011_routing.ts).
  /** Open conversations routing may give the agent; null: the team's default. */
  capacity: ColumnType<number | null, number | null | undefined, number | null>;
  last_routed_at: ColumnType<string | null, string | null | undefined, string | null>;
  // Notifications (migrations/0013_notifications.ts): JSON, the agent's choices; null: the defaults.
  notification_prefs: ColumnType<unknown | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  object_id: string | null;
  user_id: string;
  assignee_id: string | null;
  status: 'open' | 'resolved' | 'closed' | 'ended';
  title: string | null;
  tags: Json;
  attributes: Json;
  last_user_read_at: string | null;
  /** When the assignee last changed: the waiting queue is oldest first by it. */
  assigned_at: string | null;
  /** Set while a sync event for the conversation is dead-lettered ("not synced with Fin"). */
  fin_sync_failed_at: string | null;
  /** Why the conversation went to people without Fin asking, e.g. `fin_unreachable`. */
  handover_reason: string | null;
  /** The title's words for search, space-separated (domain/search-words.ts; null without a title). */
  title_words: string | null;
  /** When an end-user message arrived while a person held it, until they open it (migrations/0009_people_edits.ts). */
  unread_at: string | null;
  /** JSON: what people changed and what Fin has read since (domain/people-edits.ts); null while people changed nothing. */
  people_edits: Json | null;
  // Service levels (migrations/0014_sla.ts).
  /** Handed to people at, until the first human reply: the SLA clock's start. */
  handed_over_at: ColumnType<string | null, string | null | undefined, string | null>;
  reply_due_at: ColumnType<string | null, string | null | undefined, string | null>;
  resolve_due_at: ColumnType<string | null, string | null | undefined, string | null>;
  sla_breached_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** The SLA job's marks: when it warned of / recorded the miss of each target (once per hand-over). */
  reply_warned_at: ColumnType<string | null, string | null | undefined, string | null>;
  reply_breached_at: ColumnType<string | null, string | null | undefined, string | null>;
  resolve_warned_at: ColumnType<string | null, string | null | undefined, string | null>;
  resolve_breached_at: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: string;
  object_id: string | null;
  conversation_id: string;
  author_type: 'end_user' | 'agent';
  author_user_id: string | null;
  author_agent_id: string | null;
  body: string | null;
  /** The body's words for search, space-separated (domain/search-words.ts; null without a body). */
  body_words: string | null;
  visibility: 'public' | 'private';
  attachments: Json;
  created_at: string;
}

export interface OAuthClientsTable {
  id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AccessTokensTable {
  token_hash: string;
  client_id: string;
  expires_at: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  scope: 'fin' | 'agent';
  agent_id: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface AgentSessionsTable {
  token_hash: string;
  agent_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: string;
}

export interface OutboxEventsTable {
  id: string;
  kind: 'sync' | 'typing';
  conversation_id: string;
  agent_id: string | null;
  payload: Json;
  status: 'pending' | 'in_flight' | 'delivered' | 'dead' | 'expired' | 'superseded';
  attempts: number;
  coalesced: number;
  available_at: string;
  expires_at: string | null;
  claimed_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  conversation_id: string;
  kind: 'sync' | 'typing';
  attempt: number;
  url: string;
  status_code: number | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'dead' | 'expired' | 'disabled';
  next_attempt_at: string | null;
  created_at: string;
}

export interface CannedRepliesTable {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface FilesTable {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  data: Buffer;
  uploaded_by: string | null;
  created_at: string;
}

/** One rate-limited key's current window (see migrations/0006_rate_limits.ts). */
export interface RateLimitsTable {
  /** SHA-256 of the limit's name and key, hex. */
  key: string;
  hits: number;
  /** Milliseconds since the epoch. */
  resets_at: number;
}

/** One scheduled job's lease and last run (see migrations/0008_job_leases.ts, store/job-lease-port.ts). */
export interface JobLeasesTable {
  /** The job's name, e.g. `fail-safe`. */
  name: string;
  /** Who holds (or last held) the lease: `host:pid:random`. */
  holder: string;
  /** The lease ends here; at or after it any node may take it. */
  expires_at: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_outcome: 'ok' | 'failed' | null;
  last_error: string | null;
}

/** One open inbox (its live event stream) of an agent, on some node (migrations/0010_presence.ts). */
export interface AgentConnectionsTable {
  id: string;
  agent_id: string;
  /** The Finch process serving it: `host:pid:random`. */
  node: string;
  opened_at: string;
  seen_at: string;
  /** Renewed while open; past it the connection counts as gone (its node crashed). */
  expires_at: string;
  /** The conversation the inbox shows, if any. */
  viewing: string | null;
  /** When its agent last typed a reply in `viewing`. */
  typing_at: string | null;
}

/** One event in a conversation's activity (migrations/0012_activity.ts, domain/activity/). */
export interface ConversationActivityTable {
  id: string;
  conversation_id: string;
  at: string;
  kind: string;
  actor_type: 'fin' | 'agent' | 'end_user' | 'system';
  actor_id: string | null;
  details: Json;
}

/** One notification to one recipient, and its delivery (migrations/0013_notifications.ts). */
export interface NotificationsTable {
  id: string;
  channel: 'email' | 'chat';
  event: string;
  event_key: string;
  conversation_id: string | null;
  agent_id: string | null;
  recipient: string;
  payload: Json;
  status: 'pending' | 'in_flight' | 'sent' | 'dead' | 'dropped';
  attempts: number;
  available_at: string;
  claimed_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface Schema {
  end_users: EndUsersTable;
  agents: AgentsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  oauth_clients: OAuthClientsTable;
  access_tokens: AccessTokensTable;
  api_tokens: ApiTokensTable;
  agent_sessions: AgentSessionsTable;
  settings: SettingsTable;
  outbox_events: OutboxEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  canned_replies: CannedRepliesTable;
  files: FilesTable;
  rate_limits: RateLimitsTable;
  job_leases: JobLeasesTable;
  agent_connections: AgentConnectionsTable;
  conversation_activity: ConversationActivityTable;
  notifications: NotificationsTable;
}

export type EndUserRow = Selectable<EndUsersTable>;
export type AgentRow = Selectable<AgentsTable>;
export type NewMessageRow = Insertable<MessagesTable>;
