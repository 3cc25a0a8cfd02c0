import { notFound } from '../../errors.js';
import type { Agent, Conversation, EndUser, Message } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

export interface ConversationDetail {
  conversation: Conversation;
  lastMessage: Message | null;
  user: EndUser;
  messages: Message[];
}

/**
 * A conversation with its end-user and whole thread, private notes included. When the agent who
 * holds it opens it, its unread marker is cleared (a write only when there is one).
 */
export async function conversationDetail(ctx: HelpdeskContext, viewer: Agent, conversationId: string): Promise<ConversationDetail> {
  let conversation = await ctx.conversations.findConversation(conversationId);
  const messages = conversation && (await ctx.conversations.listMessages(conversation.id));
  if (!conversation || !messages) throw notFound('conversation', conversationId);
  if (conversation.unreadAt !== null && conversation.assignee?.id === viewer.id) {
    await ctx.transaction((tx) => tx.clearUnread(conversationId));
    conversation = { ...conversation, unreadAt: null };
  }
  return { conversation, lastMessage: messages.at(-1) ?? null, user: conversation.user, messages };
}
