/**
 * The Fin API's data and the credentials that guard it. SQLite and PostgreSQL get the same tables
 * in each one's own types; `messages_thread` makes Get Messages (with or without after_id) an index
 * range scan whatever the number of conversations and messages.
 */
import type { DialectMigration } from './dialect-migration.js';

export const initial: DialectMigration = {
  sqlite: [
    `CREATE TABLE end_users (
      id TEXT PRIMARY KEY,
      object_id TEXT UNIQUE,
      name TEXT,
      email TEXT,
      photo_url TEXT,
      attributes TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE TABLE agents (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT NOT NULL,
      alias TEXT,
      photo_url TEXT,
      role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
      is_fin INTEGER NOT NULL DEFAULT 0 CHECK (is_fin IN (0, 1)),
      active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
      password_hash TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE UNIQUE INDEX agents_email ON agents (lower(email))`,
    `CREATE UNIQUE INDEX agents_one_fin ON agents (is_fin) WHERE is_fin = 1`,
    `CREATE TABLE conversations (
      id TEXT PRIMARY KEY,
      object_id TEXT UNIQUE,
      user_id TEXT NOT NULL REFERENCES end_users (id),
      assignee_id TEXT REFERENCES agents (id),
      status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'closed', 'ended')),
      title TEXT,
      tags TEXT NOT NULL DEFAULT '[]',
      attributes TEXT NOT NULL DEFAULT '{}',
      last_user_read_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX conversations_user ON conversations (user_id)`,
    `CREATE INDEX conversations_assignee ON conversations (assignee_id)`,
    `CREATE TABLE messages (
      id TEXT PRIMARY KEY,
      object_id TEXT UNIQUE,
      conversation_id TEXT NOT NULL REFERENCES conversations (id),
      author_type TEXT NOT NULL CHECK (author_type IN ('end_user', 'agent')),
      author_user_id TEXT REFERENCES end_users (id),
      author_agent_id TEXT REFERENCES agents (id),
      body TEXT,
      visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
      attachments TEXT NOT NULL DEFAULT '[]',
      created_at TEXT NOT NULL,
      CHECK ((author_type = 'end_user') = (author_user_id IS NOT NULL)),
      CHECK ((author_type = 'agent') = (author_agent_id IS NOT NULL))
    ) STRICT`,
    `CREATE INDEX messages_thread ON messages (conversation_id, created_at, id)`,
    `CREATE INDEX messages_author_user ON messages (author_user_id)`,
    `CREATE INDEX messages_author_agent ON messages (author_agent_id)`,
    `CREATE TABLE oauth_clients (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      secret_hash TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT
    ) STRICT`,
    `CREATE TABLE access_tokens (
      token_hash TEXT PRIMARY KEY,
      client_id TEXT NOT NULL REFERENCES oauth_clients (id),
      expires_at TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`,
    `CREATE INDEX access_tokens_expiry ON access_tokens (expires_at)`,
    `CREATE INDEX access_tokens_client ON access_tokens (client_id)`,
    `CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      scope TEXT NOT NULL CHECK (scope IN ('fin', 'agent')),
      agent_id TEXT REFERENCES agents (id),
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      CHECK ((scope = 'agent') = (agent_id IS NOT NULL))
    ) STRICT`,
  ],
  postgres: [
    `CREATE TABLE end_users (
      id text PRIMARY KEY,
      object_id text UNIQUE,
      name text,
      email text,
      photo_url text,
      attributes jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )`,
    `CREATE TABLE agents (
      id text PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL,
      alias text,
      photo_url text,
      role text NOT NULL CHECK (role IN ('admin', 'agent')),
      is_fin boolean NOT NULL DEFAULT false,
      active boolean NOT NULL DEFAULT true,
      password_hash text,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )`,
    `CREATE UNIQUE INDEX agents_email ON agents (lower(email))`,
    `CREATE UNIQUE INDEX agents_one_fin ON agents (is_fin) WHERE is_fin`,
    `CREATE TABLE conversations (
      id text PRIMARY KEY,
      object_id text UNIQUE,
      user_id text NOT NULL REFERENCES end_users (id),
      assignee_id text REFERENCES agents (id),
      status text NOT NULL CHECK (status IN ('open', 'resolved', 'closed', 'ended')),
      title text,
      tags jsonb NOT NULL DEFAULT '[]',
      attributes jsonb NOT NULL DEFAULT '{}',
      last_user_read_at timestamptz(3),
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )`,
    `CREATE INDEX conversations_user ON conversations (user_id)`,
    `CREATE INDEX conversations_assignee ON conversations (assignee_id)`,
    `CREATE TABLE messages (
      id text PRIMARY KEY,
      object_id text UNIQUE,
      conversation_id text NOT NULL REFERENCES conversations (id),
      author_type text NOT NULL CHECK (author_type IN ('end_user', 'agent')),
      author_user_id text REFERENCES end_users (id),
      author_agent_id text REFERENCES agents (id),
      body text,
      visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
      attachments jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz(3) NOT NULL,
      CHECK ((author_type = 'end_user') = (author_user_id IS NOT NULL)),
      CHECK ((author_type = 'agent') = (author_agent_id IS NOT NULL))
    )`,
    `CREATE INDEX messages_thread ON messages (conversation_id, created_at, id)`,
    `CREATE INDEX messages_author_user ON messages (author_user_id)`,
    `CREATE INDEX messages_author_agent ON messages (author_agent_id)`,
    `CREATE TABLE oauth_clients (
      id text PRIMARY KEY,
      name text NOT NULL,
      secret_hash text NOT NULL,
      created_at timestamptz(3) NOT NULL,
      revoked_at timestamptz(3)
    )`,
    `CREATE TABLE access_tokens (
      token_hash text PRIMARY KEY,
      client_id text NOT NULL REFERENCES oauth_clients (id),
      expires_at timestamptz(3) NOT NULL,
      created_at timestamptz(3) NOT NULL
    )`,
    `CREATE INDEX access_tokens_expiry ON access_tokens (expires_at)`,
    `CREATE INDEX access_tokens_client ON access_tokens (client_id)`,
    `CREATE TABLE api_tokens (
      id text PRIMARY KEY,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      scope text NOT NULL CHECK (scope IN ('fin', 'agent')),
      agent_id text REFERENCES agents (id),
      created_at timestamptz(3) NOT NULL,
      revoked_at timestamptz(3),
      CHECK ((scope = 'agent') = (agent_id IS NOT NULL))
    )`,
  ],
};
