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

export interface Schema {
  end_users: EndUsersTable;
  agents: AgentsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  oauth_clients: OAuthClientsTable;
  access_tokens: AccessTokensTable;
  api_tokens: ApiTokensTable;
}

export type EndUserRow = Selectable<EndUsersTable>;
export type AgentRow = Selectable<AgentsTable>;
export type NewMessageRow = Insertable<MessagesTable>;
