/**
 * The Fin emulator: behaves toward a helpdesk the way Intercom documents Fin (spec §1, §7), using
 * nothing but the contract, so it works with any helpdesk that implements it.
 *
 * - A new chat in the messenger: Create User (for an unknown visitor), then Create Conversation
 *   with the first message. If that fails, the end-user is told something went wrong and the chat
 *   ends.
 * - A synchronization mirrors the chat's new messages (the end-user's and the bot's) with Create
 *   Message, pulls what changed on the helpdesk (Get Conversation, Get User, Get Messages after the
 *   last one seen) and ends with Update Conversation. A failed one is retried 5 times, 1 minute
 *   apart; every failure goes to the error log.
 * - The bot answers while Fin holds the conversation; it hands over (`assignee_id: null`) when asked
 *   for a person or unsure, resolves on a thank-you, and stays silent once a person holds it.
 * - Webhooks from the helpdesk start a synchronization, or show "… is typing" for a few seconds.
 */
import type { FinResponse } from '../client/fin-client.js';
import { pickFinAgent, type AgentPayload } from '../client/fin-agent.js';
import type { HelpdeskConnection } from '../client/helpdesk-connection.js';
import type { OperationName } from '../contract/operations.js';
import { plainTextToHtml } from '../contract/plain-text.js';
import { sanitizeBody } from '../domain/content.js';
import { Mutex } from '../lib/mutex.js';
import type { Bot } from './bot.js';
import type { Chat, ChatMessage, ChatMode, EmulatorState } from './state.js';

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
  now?: () => Date;
  logger: EmulatorLogger;
}

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

  constructor(private readonly options: FinEmulatorOptions) {
    this.retries = options.retries ?? 5;
    this.retryIntervalMs = options.retryIntervalMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
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
  async startChat(input: { visitorId: string; name?: string | null; email?: string | null; message: string }): Promise<Chat> {
    const at = this.now().toISOString();
    const chat = this.options.state.createChat(input.visitorId, titleFrom(input.message), at);
    const first = this.options.state.addMessage({
      chatId: chat.id,
      role: 'user',
      authorName: input.name ?? null,
      body: input.message,
      helpdeskMessageId: null,
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

  /** The end-user writes in an existing chat. */
  async postMessage(chatId: string, message: string): Promise<void> {
    const chat = this.options.state.chat(chatId);
    if (!chat) throw new Error(`no chat ${chatId}`);
    if (chat.mode === 'ended' || !chat.conversationId) throw new Error('this chat has ended');
    await this.locked(chatId, async () => {
      const at = this.now().toISOString();
      const visitor = this.options.state.visitor(chat.visitorId);
      this.options.state.addMessage({ chatId, role: 'user', authorName: visitor?.name ?? null, body: message, helpdeskMessageId: null, createdAt: at });
      // A new question after a resolution reopens the conversation with Fin.
      if (chat.mode === 'resolved') this.options.state.updateChat(chatId, { mode: 'bot' }, at);
      await this.botTurn(chatId, message);
    });
  }

  /** What the messenger shows: the chat, its messages, and who is typing. */
  view(chatId: string): { chat: Chat; messages: ChatMessage[]; typing: string | null } | undefined {
    const chat = this.options.state.chat(chatId);
    if (!chat) return undefined;
    const typing = this.typing.get(chatId);
    return { chat, messages: this.options.state.messages(chatId), typing: typing && typing.until > Date.now() ? typing.name : null };
  }

  // --- webhooks from the helpdesk --------------------------------------------------------------

  /** A synchronization event: pull the conversation's changes. Unknown conversations are ignored. */
  async onSyncEvent(conversationId: string): Promise<void> {
    const chat = this.options.state.chatByConversation(conversationId);
    if (!chat) {
      this.options.logger.info({ conversation: conversationId }, 'webhook for a conversation this emulator did not start; ignored');
      return;
    }
    await this.locked(chat.id, () => this.synchronize(chat.id, 1));
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

  private async createConversation(chat: Chat, first: ChatMessage, input: { visitorId: string; name?: string | null; email?: string | null }): Promise<void> {
    const { state, helpdesk } = this.options;
    let visitor = state.visitor(input.visitorId);
    if (!visitor) {
      const created = await this.expect('create_user', { name: input.name ?? null, email: input.email ?? null, object_id: input.visitorId });
      visitor = { visitorId: input.visitorId, userId: String((created as { id: string }).id), name: input.name ?? null, email: input.email ?? null };
      state.saveVisitor(visitor);
    }
    const user =
      helpdesk.setup.variant === 'rest'
        ? { user_id: visitor.userId }
        : { user: { id: visitor.userId, user_type: 'end_user', name: visitor.name, email: visitor.email } };
    const created = (await this.expect('create_conversation', {
      title: chat.title,
      object_id: chat.id,
      ...user,
      initial_message: {
        message_type: 'comment',
        body: plainTextToHtml(first.body),
        author: { id: visitor.userId, user_type: 'end_user' },
        visibility: 'public',
        created_at: first.createdAt,
        object_id: first.id,
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
      const created = (await this.expect('create_message', {
        conversation_id: chat.conversationId,
        message_type: 'comment',
        body: message.role === 'user' ? plainTextToHtml(message.body) : message.body,
        author,
        visibility: 'public',
        created_at: message.createdAt,
        object_id: message.id,
      })) as { id: string };
      this.options.state.setMirrored(message.id, created.id);
    }
  }

  /** Get Conversation, Get User and Get Messages after the last one seen; new public agent messages reach the chat. */
  private async pull(chat: Chat): Promise<void> {
    const conversation = (await this.expect('get_conversation', { conversation_id: chat.conversationId })) as {
      status: string;
      assignee?: AgentPayload | null;
      user: { id: string };
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
        createdAt: message.created_at,
      });
      this.typing.delete(chat.id);
    }
    const at = this.now().toISOString();
    const last = messages.at(-1);
    this.options.state.updateChat(chat.id, { mode: modeAfterPull(chat, conversation, fin.id), ...(last ? { lastMessageId: last.id } : {}) }, at);
  }

  /**
   * The end of every synchronization: Update Conversation with what Fin knows. While a person holds
   * the conversation its status and assignee are the helpdesk's: Fin leaves them out, so that a sync
   * racing an agent's change (resolving, reassigning) cannot undo it with Fin's older view.
   */
  private async pushState(chat: Chat): Promise<void> {
    const fin = this.finAgentOrThrow();
    const ownsState = chat.mode !== 'human';
    const status = chat.mode === 'resolved' ? 'resolved' : chat.mode === 'ended' ? 'ended' : 'open';
    // Fin names itself while it holds the conversation, and nobody otherwise (the handover).
    const assignee = chat.mode === 'bot' ? fin.id : null;
    await this.expect('update_conversation', {
      conversation_id: chat.conversationId,
      title: chat.title,
      tags: ['fin-emulator'],
      attributes: { channel: 'messenger', emulator_chat_id: chat.id },
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
  if (conversation.status !== chat.pushedStatus) {
    if (conversation.status === 'resolved' || conversation.status === 'closed') return 'resolved';
    if (conversation.status === 'ended') return 'ended';
  }
  const assignee = conversation.assignee?.id ?? '';
  if (assignee === (chat.pushedAssignee ?? '')) return chat.mode;
  if (assignee === '') return 'waiting';
  return assignee === finAgentId ? 'bot' : 'human';
}

function titleFrom(message: string): string {
  const words = message.trim().replace(/\s+/g, ' ');
  return words.length <= 60 ? words : `${words.slice(0, 57)}…`;
}
