import { notFound } from '../../errors.js';
import type { Agent, Conversation, EndUser, Message } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { listMessages } from './list-messages.js';

export interface ConversationDetail {
  conversation: Conversation;
  lastMessage: Message | null;
  user: EndUser;
  /** The newest messages, oldest first (`listMessages`). */
  messages: Message[];
  /** Reads the messages before them; null when they start at the first message. */
  messagesCursor: string | null;
  /** How many messages the conversation has: a client holding older pages can tell whether one was written among them (Fin may date a message in the past). */
  messageCount: number;
}

/**
 * A conversation with its end-user and the newest `limit` messages of its thread (default 50),
 * private notes included; older ones page back through `listMessages` from `messagesCursor`. When
 * the agent who holds it opens it, its unread marker is cleared (a write only when there is one).
 * Throws 404 `conversation_not_found`.
 */
export async function conversationDetail(ctx: HelpdeskContext, viewer: Agent, conversationId: string, limit?: number): Promise<ConversationDetail> {
  let conversation = await ctx.conversations.findConversation(conversationId);
  if (!conversation) throw notFound('conversation', conversationId);
  const page = await listMessages(ctx, conversation.id, { limit, user: conversation.user });
  const messageCount = await ctx.conversations.countMessages(conversation.id);
  if (conversation.unreadAt !== null && conversation.assignee?.id === viewer.id) {
    await ctx.transaction((tx) => tx.clearUnread(conversationId));
    conversation = { ...conversation, unreadAt: null };
  }
  return {
    conversation,
    lastMessage: page.messages.at(-1) ?? null,
    user: conversation.user,
    messages: page.messages,
    messagesCursor: page.cursor,
    messageCount,
  };
}
