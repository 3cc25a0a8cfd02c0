/**
 * What the Fin emulator remembers, in its own SQLite file so that it survives a restart: the
 * messenger's chats and their messages (with their attachments), which helpdesk message each chat
 * has seen last (the `after_id` cursor) and what Fin last read of its conversation, the syncs still
 * to retry, and the error log.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ulid } from '../domain/ids.js';

/** bot: Fin answers; waiting: handed over, nobody yet; human: a person holds it; then the ends. */
export type ChatMode = 'bot' | 'waiting' | 'human' | 'resolved' | 'ended';

export interface Chat {
  id: string;
  visitorId: string;
  userId: string | null;
  conversationId: string | null;
  title: string | null;
  mode: ChatMode;
  /** The last helpdesk message Fin has read (Get Messages' after_id). */
  lastMessageId: string | null;
  /**
   * What Fin last told the helpdesk (assignee id or '' for nobody, and status): a pulled
   * conversation that differs from it was changed on the helpdesk side, and wins.
   */
  pushedAssignee: string | null;
  pushedStatus: string | null;
  /** Who holds the conversation when a person does (their alias or name), from the last pull. */
  holderName: string | null;
  /** What Fin last read of the conversation (Get Conversation); its end-of-sync update starts from it. */
  read: ReadState | null;
  createdAt: string;
  updatedAt: string;
}

/** The conversation's fields as Fin last read them (tags `[]` when the helpdesk sent null). */
export interface ReadState {
  title: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
}

/** A file on a message: an HTTPS URL with its display name and type (spec §3, Attachment). */
export interface ChatAttachment {
  url: string;
  filename: string;
  filetype: string;
}

export type ChatRole = 'user' | 'bot' | 'agent' | 'system';

export interface ChatMessage {
  id: string;
  chatId: string;
  role: ChatRole;
  authorName: string | null;
  /** HTML for bot and agent messages (sanitized), plain text for the end-user's. */
  body: string;
  /** The helpdesk's id once mirrored (or when it came from the helpdesk). */
  helpdeskMessageId: string | null;
  attachments: ChatAttachment[];
  createdAt: string;
}

export interface ErrorEntry {
  id: string;
  at: string;
  chatId: string | null;
  conversationId: string | null;
  operation: string;
  status: number | null;
  detail: string;
  attempt: number;
}

export interface Visitor {
  visitorId: string;
  userId: string;
  name: string | null;
  email: string | null;
}

export class EmulatorState {
  private readonly db: BetterSqlite3.Database;

  constructor(dataDir: string) {
    // Owner only when created here (visitors' chats); SQLite gives -wal/-shm the file's mode.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, 'emulator.db');
    try {
      closeSync(openSync(file, 'wx', 0o600));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS visitors (visitor_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT, email TEXT);
      CREATE TABLE IF NOT EXISTS chats (
        id TEXT PRIMARY KEY, visitor_id TEXT NOT NULL, user_id TEXT, conversation_id TEXT UNIQUE, title TEXT,
        mode TEXT NOT NULL, last_message_id TEXT, pushed_assignee TEXT, pushed_status TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS chat_messages (
        id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, role TEXT NOT NULL, author_name TEXT, body TEXT NOT NULL,
        helpdesk_message_id TEXT UNIQUE, created_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS chat_messages_chat ON chat_messages (chat_id, created_at, id);
      CREATE TABLE IF NOT EXISTS pending_syncs (chat_id TEXT PRIMARY KEY, attempts INTEGER NOT NULL, next_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS errors (
        id TEXT PRIMARY KEY, at TEXT NOT NULL, chat_id TEXT, conversation_id TEXT, operation TEXT NOT NULL,
        status INTEGER, detail TEXT NOT NULL, attempt INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    // Columns added after the first release: an existing file gets them on open.
    this.addColumn('chats', 'holder_name', 'TEXT');
    this.addColumn('chats', 'read_state', 'TEXT');
    this.addColumn('chat_messages', 'attachments', "TEXT NOT NULL DEFAULT '[]'");
  }

  private addColumn(table: string, column: string, definition: string): void {
    const columns = this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((existing) => existing.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }

  close(): void {
    this.db.close();
  }

  // --- visitors and chats ----------------------------------------------------------------------

  visitor(visitorId: string): Visitor | undefined {
    const row = this.db.prepare('SELECT * FROM visitors WHERE visitor_id = ?').get(visitorId) as Record<string, string | null> | undefined;
    return row && { visitorId: row.visitor_id!, userId: row.user_id!, name: row.name ?? null, email: row.email ?? null };
  }

  saveVisitor(visitor: Visitor): void {
    this.db
      .prepare(
        'INSERT INTO visitors (visitor_id, user_id, name, email) VALUES (?, ?, ?, ?) ON CONFLICT (visitor_id) DO UPDATE SET user_id = excluded.user_id, email = excluded.email',
      )
      .run(visitor.visitorId, visitor.userId, visitor.name, visitor.email);
  }

  createChat(visitorId: string, title: string | null, at: string): Chat {
    const chat: Chat = {
      id: `chat_${ulid(Date.now())}`,
      visitorId,
      userId: null,
      conversationId: null,
      title,
      mode: 'bot',
      lastMessageId: null,
      pushedAssignee: null,
      pushedStatus: null,
      holderName: null,
      read: null,
      createdAt: at,
      updatedAt: at,
    };
    this.db
      .prepare(
        'INSERT INTO chats (id, visitor_id, user_id, conversation_id, title, mode, last_message_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(chat.id, chat.visitorId, null, null, chat.title, chat.mode, null, at, at);
    return chat;
  }

  chat(id: string): Chat | undefined {
    return chatFrom(this.db.prepare('SELECT * FROM chats WHERE id = ?').get(id));
  }

  chatByConversation(conversationId: string): Chat | undefined {
    return chatFrom(this.db.prepare('SELECT * FROM chats WHERE conversation_id = ?').get(conversationId));
  }

  chats(): Chat[] {
    return (this.db.prepare('SELECT * FROM chats ORDER BY created_at DESC, id DESC').all() as unknown[]).map((row) => chatFrom(row)!);
  }

  updateChat(
    id: string,
    changes: Partial<Pick<Chat, 'userId' | 'conversationId' | 'title' | 'mode' | 'lastMessageId' | 'pushedAssignee' | 'pushedStatus' | 'holderName' | 'read'>>,
    at: string,
  ): void {
    const columns: Record<string, string> = {
      holderName: 'holder_name',
      read: 'read_state',
      userId: 'user_id',
      conversationId: 'conversation_id',
      title: 'title',
      mode: 'mode',
      lastMessageId: 'last_message_id',
      pushedAssignee: 'pushed_assignee',
      pushedStatus: 'pushed_status',
    };
    const entries = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, key === 'read' ? JSON.stringify(value) : value] as const);
    const sets = [...entries.map(([key]) => `${columns[key]} = ?`), 'updated_at = ?'];
    this.db.prepare(`UPDATE chats SET ${sets.join(', ')} WHERE id = ?`).run(...entries.map(([, value]) => value), at, id);
  }

  // --- messages --------------------------------------------------------------------------------

  addMessage(message: Omit<ChatMessage, 'id' | 'attachments'> & { id?: string; attachments?: ChatAttachment[] }): ChatMessage {
    const saved: ChatMessage = { ...message, attachments: message.attachments ?? [], id: message.id ?? `cmsg_${ulid(Date.now())}` };
    this.db
      .prepare('INSERT INTO chat_messages (id, chat_id, role, author_name, body, helpdesk_message_id, attachments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(saved.id, saved.chatId, saved.role, saved.authorName, saved.body, saved.helpdeskMessageId, JSON.stringify(saved.attachments), saved.createdAt);
    return saved;
  }

  setMirrored(messageId: string, helpdeskMessageId: string): void {
    this.db.prepare('UPDATE chat_messages SET helpdesk_message_id = ? WHERE id = ?').run(helpdeskMessageId, messageId);
  }

  messages(chatId: string): ChatMessage[] {
    return (this.db.prepare('SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY created_at, id').all(chatId) as Record<string, string | null>[]).map(
      (row) => ({
        id: row.id!,
        chatId: row.chat_id!,
        role: row.role as ChatRole,
        authorName: row.author_name ?? null,
        body: row.body!,
        helpdeskMessageId: row.helpdesk_message_id ?? null,
        attachments: JSON.parse(row.attachments ?? '[]') as ChatAttachment[],
        createdAt: row.created_at!,
      }),
    );
  }

  /** Whether a helpdesk message is already in a chat (mirrored from it, or received before). */
  knowsHelpdeskMessage(helpdeskMessageId: string): boolean {
    return this.db.prepare('SELECT 1 FROM chat_messages WHERE helpdesk_message_id = ?').get(helpdeskMessageId) !== undefined;
  }

  // --- syncs to retry --------------------------------------------------------------------------

  scheduleRetry(chatId: string, attempts: number, nextAt: string): void {
    this.db
      .prepare(
        'INSERT INTO pending_syncs (chat_id, attempts, next_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET attempts = excluded.attempts, next_at = excluded.next_at',
      )
      .run(chatId, attempts, nextAt);
  }

  clearRetry(chatId: string): void {
    this.db.prepare('DELETE FROM pending_syncs WHERE chat_id = ?').run(chatId);
  }

  retry(chatId: string): { attempts: number; nextAt: string } | undefined {
    const row = this.db.prepare('SELECT attempts, next_at FROM pending_syncs WHERE chat_id = ?').get(chatId) as
      | { attempts: number; next_at: string }
      | undefined;
    return row && { attempts: row.attempts, nextAt: row.next_at };
  }

  dueRetries(now: string): { chatId: string; attempts: number }[] {
    return (
      this.db.prepare('SELECT chat_id, attempts FROM pending_syncs WHERE next_at <= ? ORDER BY next_at').all(now) as { chat_id: string; attempts: number }[]
    ).map((row) => ({
      chatId: row.chat_id,
      attempts: row.attempts,
    }));
  }

  // --- the error log ---------------------------------------------------------------------------

  logError(entry: Omit<ErrorEntry, 'id'>): ErrorEntry {
    const saved = { ...entry, id: `err_${ulid(Date.now())}` };
    this.db
      .prepare('INSERT INTO errors (id, at, chat_id, conversation_id, operation, status, detail, attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(saved.id, saved.at, saved.chatId, saved.conversationId, saved.operation, saved.status, saved.detail, saved.attempt);
    return saved;
  }

  errors(limit = 200): ErrorEntry[] {
    return (this.db.prepare('SELECT * FROM errors ORDER BY at DESC, id DESC LIMIT ?').all(limit) as Record<string, string | number | null>[]).map((row) => ({
      id: String(row.id),
      at: String(row.at),
      chatId: (row.chat_id as string | null) ?? null,
      conversationId: (row.conversation_id as string | null) ?? null,
      operation: String(row.operation),
      status: (row.status as number | null) ?? null,
      detail: String(row.detail),
      attempt: Number(row.attempt),
    }));
  }

  // --- small settings (the Fin agent picked at setup) ------------------------------------------

  setting(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  saveSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

function chatFrom(row: unknown): Chat | undefined {
  if (!row) return undefined;
  const r = row as Record<string, string | null>;
  return {
    id: r.id!,
    visitorId: r.visitor_id!,
    userId: r.user_id ?? null,
    conversationId: r.conversation_id ?? null,
    title: r.title ?? null,
    mode: r.mode as ChatMode,
    lastMessageId: r.last_message_id ?? null,
    pushedAssignee: r.pushed_assignee ?? null,
    pushedStatus: r.pushed_status ?? null,
    holderName: r.holder_name ?? null,
    read: r.read_state ? (JSON.parse(r.read_state) as ReadState) : null,
    createdAt: r.created_at!,
    updatedAt: r.updated_at!,
  };
}
