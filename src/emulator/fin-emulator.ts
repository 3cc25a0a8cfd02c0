/**
 * The Fin emulator: behaves toward a helpdesk the way Intercom documents Fin (spec §1, §7), using
 * nothing but the contract, so it works with any helpdesk that implements it.
 *
 * - A new chat in the messenger: for a signed-in user (the messenger was given their user id) Get
 *   User first, and Create User only when the helpdesk does not know them (404) or for an anonymous
 *   visitor; then Create Conversation with the first message (attachments included) and the
 *   conversation's attributes. If that fails, the end-user is told something went wrong and the
 *   chat ends. An email the end-user gives later (the email collector) goes to Update User.
 * - A synchronization mirrors the chat's new messages (the end-user's and the bot's) with Create
 *   Message, pulls what changed on the helpdesk (Get Conversation, Get User, Get Messages after the
 *   last one seen) and ends with Update Conversation, derived from what it read plus Fin's own
 *   changes. A failed one is retried 5 times, 1 minute apart; every failure goes to the error log.
 * - The bot answers while Fin holds the conversation; it hands over (`assignee_id: null`) when asked
 *   for a person or unsure, resolves on a thank-you, and stays silent once a person holds it.
 * - Webhooks from the helpdesk start a synchronization (debounced, one per conversation at a time:
 *   sync-debouncer.ts), or show "… is typing" for a few seconds.
 */
import type { FinResponse } from '../client/fin-client.js';
import { pickFinAgent, type AgentPayload } from '../client/fin-agent.js';
import type { HelpdeskConnection } from '../client/helpdesk-connection.js';
import type { OperationName } from '../contract/operations.js';
import { plainTextToHtml } from '../contract/plain-text.js';
import { sanitizeBody } from '../domain/content.js';
import { Mutex } from '../lib/mutex.js';
import type { Bot } from './bot.js';
import type { Chat, ChatAttachment, ChatMessage, ChatMode, EmulatorState, Visitor } from './state.js';
import { SyncDebouncer } from './sync-debouncer.js';

export const SOMETHING_WENT_WRONG = 'Something went wrong, please try again later.';
const TYPING_SHOWN_MS = 5_000;

export interface EmulatorLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface FinEmulatorOptions {
  helpdesk: HelpdeskConnection;
  state: EmulatorState;
  bot: Bot;
  /** The agent that represents Fin; otherwise one named "Fin", otherwise the first agent. */
  finAgentId?: string | undefined;
  /** How many times a failed synchronization is retried, and how far apart. */
  retries?: number;
  retryIntervalMs?: number;
  /** How long the first webhook for a conversation waits for others to join its sync. Default 100 ms. */
  debounceMs?: number;
  now?: () => Date;
  logger: EmulatorLogger;
}

/** A chat's first message, and who writes it. */
export interface ChatStart {
  visitorId: string;
  /** The helpdesk's id of a signed-in user (Fin calls Get User first); absent for an anonymous visitor. */
  userId?: string | null;
  name?: string | null;
  email?: string | null;
  /** Plain text; may be empty when there are attachments. */
  message: string;
  attachments?: ChatAttachment[];
  /** The conversation's attributes, sent with Create Conversation (e.g. the page the chat began on). */
  attributes?: Record<string, unknown>;
}

/** What Fin itself sets on every conversation it creates. */
const OWN_ATTRIBUTES = { channel: 'messenger' };

class SyncFailed extends Error {
  constructor(
    readonly operation: OperationName,
    readonly response: FinResponse | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

export class FinEmulator {
  private finAgent: AgentPayload | undefined;
  private readonly locks = new Map<string, Mutex>();
  private readonly typing = new Map<string, { name: string; until: number }>();
  private readonly retries: number;
  private readonly retryIntervalMs: number;
  private readonly now: () => Date;
  private readonly syncs: SyncDebouncer;

  constructor(private readonly options: FinEmulatorOptions) {
    this.retries = options.retries ?? 5;
    this.retryIntervalMs = options.retryIntervalMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
    this.syncs = new SyncDebouncer(options.debounceMs ?? 100, (chatId, started) =>
      this.locked(chatId, () => {
        started();
        return this.synchronize(chatId, 1);
      }),
    );
  }

  get helpdesk(): HelpdeskConnection {
    return this.options.helpdesk;
  }

  /** Setup, as in Fin's settings: Get Agents, and pick the agent that represents Fin. */
  async setup(): Promise<AgentPayload> {
    const response = await this.options.helpdesk.call('get_agents');
    if (response.status !== 200 || !Array.isArray(response.payload)) {
      throw new Error(`Get Agents failed (${response.status}): ${JSON.stringify(response.body).slice(0, 300)}`);
    }
    const agents = response.payload as AgentPayload[];
    const wanted = this.options.finAgentId ?? this.options.state.setting('fin_agent_id');
    const fin = pickFinAgent(agents, wanted);
    if (!fin) throw new Error('Get Agents returned no agent to represent Fin');
    this.options.state.saveSetting('fin_agent_id', fin.id);
    this.finAgent = fin;
    return fin;
  }

  private finAgentOrThrow(): AgentPayload {
    if (!this.finAgent) throw new Error('the emulator is not set up: call setup() first');
    return this.finAgent;
  }

  // --- the messenger ---------------------------------------------------------------------------

  /** A visitor starts a chat with a first message. */
  async startChat(input: ChatStart): Promise<Chat> {
    const at = this.now().toISOString();
    const chat = this.options.state.createChat(input.visitorId, titleFrom(input.message, input.attachments), at);
    const first = this.options.state.addMessage({
      chatId: chat.id,
      role: 'user',
      authorName: input.name ?? null,
      body: input.message,
      helpdeskMessageId: null,
      attachments: input.attachments ?? [],
      createdAt: at,
    });
    await this.locked(chat.id, async () => {
      try {
        // Not connected yet (the helpdesk started after the emulator): connect now.
        if (!this.finAgent) await this.setup();
        await this.createConversation(chat, first, input);
      } catch (error) {
        this.logFailure(chat, error, 1);
        this.options.state.addMessage({
          chatId: chat.id,
          role: 'system',
          authorName: null,
          body: SOMETHING_WENT_WRONG,
          helpdeskMessageId: null,
          createdAt: this.now().toISOString(),
        });
        this.options.state.updateChat(chat.id, { mode: 'ended' }, this.now().toISOString());
        return;
      }
      await this.botTurn(chat.id, input.message);
    });
    return this.options.state.chat(chat.id)!;
  }

  /** The end-user writes in an existing chat: text, attachments, or both. */
  async postMessage(chatId: string, message: string, attachments: ChatAttachment[] = []): Promise<void> {
    const chat = this.options.state.chat(chatId);
    if (!chat) throw new Error(`no chat ${chatId}`);
    if (chat.mode === 'ended' || !chat.conversationId) throw new Error('this chat has ended');
    await this.locked(chatId, async () => {
      const at = this.now().toISOString();
      const visitor = this.options.state.visitor(chat.visitorId);
      this.options.state.addMessage({
        chatId,
        role: 'user',
        authorName: visitor?.name ?? null,
        body: message,
        helpdeskMessageId: null,
        attachments,
        createdAt: at,
      });
      if (chat.mode === 'resolved') await this.customerReturns(chat);
      await this.botTurn(chatId, message);
    });
  }

  /**
   * The email collector: the end-user gives an email in the messenger, and Fin passes it on with
   * Update User. Throws SyncFailed (logged) when the helpdesk refuses it.
   */
  async giveEmail(chatId: string, email: string): Promise<void> {
    const chat = this.options.state.chat(chatId);
    if (!chat?.userId) throw new Error(`no chat ${chatId} with an end-user`);
    await this.locked(chatId, async () => {
      try {
        await this.expect('update_user', { user_id: chat.userId, email });
      } catch (error) {
        this.logFailure(chat, error, 1);
        throw error;
      }
      const visitor = this.options.state.visitor(chat.visitorId);
      if (visitor) this.options.state.saveVisitor({ ...visitor, email });
    });
  }

  /** What the messenger shows: the chat, its messages, who is typing, and whether it has the end-user's email. */
  view(chatId: string): { chat: Chat; messages: ChatMessage[]; typing: string | null; hasEmail: boolean } | undefined {
    const chat = this.options.state.chat(chatId);
    if (!chat) return undefined;
    const typing = this.typing.get(chatId);
    return {
      chat,
      messages: this.options.state.messages(chatId),
      typing: typing && typing.until > Date.now() ? typing.name : null,
      hasEmail: Boolean(this.options.state.visitor(chat.visitorId)?.email),
    };
  }

  // --- webhooks from the helpdesk --------------------------------------------------------------

  /**
   * A synchronization event: pull the conversation's changes, debounced with the other events for
   * it (sync-debouncer.ts). Unknown conversations are ignored.
   */
  async onSyncEvent(conversationId: string): Promise<void> {
    const chat = this.options.state.chatByConversation(conversationId);
    if (!chat) {
      this.options.logger.info({ conversation: conversationId }, 'webhook for a conversation this emulator did not start; ignored');
      return;
    }
    await this.syncs.request(chat.id);
  }

  onTyping(conversationId: string, agentName: string): void {
    const chat = this.options.state.chatByConversation(conversationId);
    if (chat) this.typing.set(chat.id, { name: agentName, until: Date.now() + TYPING_SHOWN_MS });
  }

  /** Runs the synchronizations whose retry time has come. */
  async retryDue(): Promise<void> {
    for (const { chatId, attempts } of this.options.state.dueRetries(this.now().toISOString())) {
      await this.locked(chatId, () => this.synchronize(chatId, attempts + 1));
    }
  }

  // --- what Fin does -----------------------------------------------------------------------------

  /**
   * The helpdesk's end-user for this visitor: the one remembered; for a signed-in user the one Get
   * User finds; otherwise (an anonymous visitor, or a user id the helpdesk answers 404 for) a new
   * one from Create User.
   */
  private async endUser(input: ChatStart): Promise<Visitor> {
    const { state, helpdesk } = this.options;
    const known = state.visitor(input.visitorId);
    if (known) return known;
    const name = input.name ?? null;
    const email = input.email ?? null;
    let visitor: Visitor | undefined;
    if (input.userId) {
      const found = await helpdesk.call('get_user', { user_id: input.userId });
      if (found.status === 200) {
        const user = found.payload as { id: string; name?: string | null; email?: string | null };
        visitor = { visitorId: input.visitorId, userId: user.id, name: user.name ?? name, email: user.email ?? email };
      } else if (found.status !== 404) throw new SyncFailed('get_user', found, `get_user answered ${found.status}`);
    }
    if (!visitor) {
      const created = (await this.expect('create_user', { name, email, object_id: input.userId ?? input.visitorId })) as { id: string };
      visitor = { visitorId: input.visitorId, userId: String(created.id), name, email };
    }
    state.saveVisitor(visitor);
    return visitor;
  }

  private async createConversation(chat: Chat, first: ChatMessage, input: ChatStart): Promise<void> {
    const { state, helpdesk } = this.options;
    const visitor = await this.endUser(input);
    const attributes = { ...OWN_ATTRIBUTES, ...input.attributes };
    // REST names the end-user by id and carries the attributes on the initial message ("attributes
    // associated with the conversation"); POST-only sends the user object and top-level attributes.
    const rest = helpdesk.setup.variant === 'rest';
    const user = rest ? { user_id: visitor.userId } : { user: { id: visitor.userId, user_type: 'end_user', name: visitor.name, email: visitor.email } };
    const created = (await this.expect('create_conversation', {
      title: chat.title,
      object_id: chat.id,
      ...user,
      ...(rest ? {} : { attributes }),
      initial_message: {
        ...this.messageInput(first, { id: visitor.userId, user_type: 'end_user' }),
        ...(rest ? { attributes } : {}),
      },
    })) as { conversation: { id: string }; initial_message: { id: string } };
    state.setMirrored(first.id, created.initial_message.id);
    // A new conversation starts open and assigned to Fin, as if Fin had said so.
    state.updateChat(
      chat.id,
      {
        userId: visitor.userId,
        conversationId: created.conversation.id,
        lastMessageId: created.initial_message.id,
        pushedAssignee: this.finAgentOrThrow().id,
        pushedStatus: 'open',
      },
      this.now().toISOString(),
    );
  }

  /**
   * The end-user writes again after a resolution: the helpdesk reopens the conversation to whoever
   * should take it (its agent, Fin, or the waiting queue), so Fin passes the message on and reads
   * who holds it before answering: it answers only a conversation that is its own again. If the
   * helpdesk cannot be reached, Fin takes the question itself, as it would a new one (the sync
   * that follows is retried).
   */
  private async customerReturns(chat: Chat): Promise<void> {
    try {
      await this.mirror(chat);
      await this.pull(this.options.state.chat(chat.id)!);
    } catch (error) {
      this.logFailure(chat, error, 1);
      this.options.state.updateChat(chat.id, { mode: 'bot' }, this.now().toISOString());
    }
  }

  /** Fin's turn after the end-user wrote: answer while Fin holds the conversation, then synchronize. */
  private async botTurn(chatId: string, text: string): Promise<void> {
    const chat = this.options.state.chat(chatId)!;
    if (chat.mode === 'bot') {
      const reply = this.options.bot.reply(text);
      const fin = this.finAgentOrThrow();
      // Sanitized like anything shown in the messenger: a knowledge base is a file anyone may edit.
      const body = sanitizeBody(reply.body) ?? '';
      this.options.state.addMessage({
        chatId,
        role: 'bot',
        authorName: fin.alias ?? fin.alias_name ?? fin.name ?? 'Fin',
        body,
        helpdeskMessageId: null,
        createdAt: this.now().toISOString(),
      });
      const mode: ChatMode = reply.kind === 'handover' ? 'waiting' : reply.kind === 'resolve' ? 'resolved' : 'bot';
      this.options.state.updateChat(chatId, { mode }, this.now().toISOString());
    }
    await this.synchronize(chatId, 1);
  }

  /**
   * One synchronization: mirror the chat's new messages, pull the helpdesk's changes, end with
   * Update Conversation. On failure, retried later (up to `retries` times).
   */
  private async synchronize(chatId: string, attempt: number): Promise<void> {
    const chat = this.options.state.chat(chatId);
    if (!chat?.conversationId) return;
    try {
      await this.mirror(chat);
      await this.pull(chat);
      await this.pushState(this.options.state.chat(chatId)!);
      this.options.state.clearRetry(chatId);
    } catch (error) {
      this.logFailure(chat, error, attempt);
      if (attempt <= this.retries) {
        this.options.state.scheduleRetry(chatId, attempt, new Date(this.now().getTime() + this.retryIntervalMs).toISOString());
      } else {
        this.options.state.clearRetry(chatId);
        this.options.logger.warn({ chat: chatId, attempts: attempt }, 'synchronization given up after its retries');
      }
    }
  }

  /** Create Message for each message of the chat the helpdesk does not have yet (idempotent by object_id). */
  private async mirror(chat: Chat): Promise<void> {
    const fin = this.finAgentOrThrow();
    for (const message of this.options.state.messages(chat.id)) {
      if (message.helpdeskMessageId !== null || (message.role !== 'user' && message.role !== 'bot')) continue;
      const author = message.role === 'user' ? { id: chat.userId!, user_type: 'end_user' } : { id: fin.id, user_type: 'agent' };
      const created = (await this.expect('create_message', { conversation_id: chat.conversationId, ...this.messageInput(message, author) })) as {
        id: string;
      };
      this.options.state.setMirrored(message.id, created.id);
    }
  }

  /** A chat message as Fin sends it: the end-user's text as HTML, attachments, and an attachment-only message's body as null. */
  private messageInput(message: ChatMessage, author: { id: string; user_type: string }): Record<string, unknown> {
    const text = message.role === 'user' ? (message.body.trim() ? plainTextToHtml(message.body) : null) : message.body;
    return {
      message_type: 'comment',
      body: text,
      author,
      visibility: 'public',
      created_at: message.createdAt,
      object_id: message.id,
      ...(message.attachments.length ? { attachments: message.attachments } : {}),
    };
  }

  /** Get Conversation, Get User and Get Messages after the last one seen; new public agent messages reach the chat. */
  private async pull(chat: Chat): Promise<void> {
    const conversation = (await this.expect('get_conversation', { conversation_id: chat.conversationId })) as {
      status: string;
      assignee?: AgentPayload | null;
      user: { id: string };
      title?: string | null;
      tags?: string[] | null;
      attributes?: Record<string, unknown> | null;
    };
    await this.expect('get_user', { user_id: conversation.user.id });
    const messages = (await this.expect('get_messages', {
      conversation_id: chat.conversationId,
      ...(chat.lastMessageId ? { after_id: chat.lastMessageId } : {}),
    })) as {
      id: string;
      body: string | null;
      visibility: string;
      author: AgentPayload & { user_type: string };
      created_at: string;
      attachments?: { url: string; filename?: string | null; filetype?: string | null }[];
    }[];
    const fin = this.finAgentOrThrow();
    for (const message of messages) {
      if (this.options.state.knowsHelpdeskMessage(message.id)) continue;
      const fromPerson = message.author.user_type === 'agent' && message.author.id !== fin.id;
      if (message.visibility !== 'public' || !fromPerson) continue;
      this.options.state.addMessage({
        chatId: chat.id,
        role: 'agent',
        authorName: message.author.alias ?? message.author.alias_name ?? message.author.name ?? 'Support',
        body: sanitizeBody(message.body) ?? '',
        helpdeskMessageId: message.id,
        attachments: shownAttachments(message.attachments),
        createdAt: message.created_at,
      });
      this.typing.delete(chat.id);
    }
    const at = this.now().toISOString();
    const last = messages.at(-1);
    const holder = conversation.assignee && conversation.assignee.id !== fin.id ? conversation.assignee : null;
    this.options.state.updateChat(
      chat.id,
      {
        mode: modeAfterPull(chat, conversation, fin.id),
        ...(last ? { lastMessageId: last.id } : {}),
        holderName: holder ? (holder.alias ?? holder.alias_name ?? holder.name ?? 'Our team') : null,
        read: { title: conversation.title ?? null, tags: conversation.tags ?? [], attributes: conversation.attributes ?? {} },
      },
      at,
    );
  }

  /**
   * The end of every synchronization: Update Conversation derived from what Fin read in this sync's
   * pull (title, tags, attributes) plus its own changes (its attributes, the status and assignee of
   * the bot's turn): never values of its own invention that would undo a person's edit. While a
   * person holds the conversation its status and assignee are the helpdesk's: Fin leaves them out,
   * so that a sync racing an agent's change (resolving, reassigning) cannot undo it with Fin's older
   * view.
   */
  private async pushState(chat: Chat): Promise<void> {
    const fin = this.finAgentOrThrow();
    const ownsState = chat.mode !== 'human';
    const status = chat.mode === 'resolved' ? 'resolved' : chat.mode === 'ended' ? 'ended' : 'open';
    // Fin names itself while it holds the conversation, and nobody otherwise (the handover).
    const assignee = chat.mode === 'bot' ? fin.id : null;
    const read = chat.read;
    await this.expect('update_conversation', {
      conversation_id: chat.conversationId,
      title: read ? read.title : chat.title,
      tags: read ? read.tags : [],
      attributes: { ...read?.attributes, ...OWN_ATTRIBUTES },
      ...(ownsState ? { status, assignee_id: assignee } : {}),
      last_user_read_at: this.now().toISOString(),
    });
    if (ownsState) this.options.state.updateChat(chat.id, { pushedAssignee: assignee ?? '', pushedStatus: status }, this.now().toISOString());
  }

  /** Calls an operation and returns its payload, or throws SyncFailed. */
  private async expect(operation: OperationName, input: Record<string, unknown>): Promise<unknown> {
    let response: FinResponse;
    try {
      response = await this.options.helpdesk.call(operation, input);
    } catch (error) {
      throw new SyncFailed(operation, undefined, (error as Error).message);
    }
    if (response.status >= 200 && response.status < 300) return response.payload;
    const detail = typeof response.problem?.detail === 'string' ? response.problem.detail : JSON.stringify(response.body ?? null).slice(0, 300);
    throw new SyncFailed(operation, response, `${operation} answered ${response.status}: ${detail}`);
  }

  private logFailure(chat: Chat, error: unknown, attempt: number): void {
    const failure = error instanceof SyncFailed ? error : undefined;
    const entry = this.options.state.logError({
      at: this.now().toISOString(),
      chatId: chat.id,
      conversationId: this.options.state.chat(chat.id)?.conversationId ?? null,
      operation: failure?.operation ?? 'synchronization',
      status: failure?.response?.status ?? null,
      detail: (error as Error).message,
      attempt,
    });
    this.options.logger.warn({ chat: chat.id, operation: entry.operation, status: entry.status, attempt }, 'synchronization failed');
  }

  private locked<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(chatId);
    if (!lock) this.locks.set(chatId, (lock = new Mutex()));
    return lock.run(work);
  }
}

/**
 * The chat's mode after a pull. What differs from what Fin last told the helpdesk was changed on
 * the helpdesk side (a person took it, handed it back, resolved it) and wins; the rest is Fin's own
 * doing, not yet pushed, and stays.
 */
function modeAfterPull(chat: Chat, conversation: { status: string; assignee?: AgentPayload | null }, finAgentId: string): ChatMode {
  const assignee = conversation.assignee?.id ?? '';
  const holder: ChatMode = assignee === '' ? 'waiting' : assignee === finAgentId ? 'bot' : 'human';
  const finished = chat.mode === 'resolved' || chat.mode === 'ended';
  if (conversation.status !== chat.pushedStatus) {
    if (conversation.status === 'resolved' || conversation.status === 'closed') return 'resolved';
    if (conversation.status === 'ended') return 'ended';
    // Open again on the helpdesk's side (the customer came back, a person reopened it): its holder decides.
    if (finished) return holder;
  }
  // A finished conversation stays finished whoever it stays assigned to (an agent editing its tags does not reopen it).
  if (finished) return chat.mode;
  return assignee === (chat.pushedAssignee ?? '') ? chat.mode : holder;
}

/** The title of a new conversation: its first words, or the first file's name for an attachment-only start. */
function titleFrom(message: string, attachments: readonly ChatAttachment[] = []): string {
  const words = message.trim().replace(/\s+/g, ' ') || (attachments[0]?.filename ?? '');
  return words.length <= 60 ? words : `${words.slice(0, 57)}…`;
}

/** An agent's attachments as the messenger may show them: HTTPS links only (spec §5), with a name to show. */
function shownAttachments(attachments: readonly { url: string; filename?: string | null; filetype?: string | null }[] = []): ChatAttachment[] {
  return attachments
    .filter((attachment) => /^https:\/\//i.test(attachment.url))
    .map((attachment) => ({
      url: attachment.url,
      filename: attachment.filename || attachment.url.split('/').pop() || 'file',
      filetype: attachment.filetype ?? '',
    }));
}
