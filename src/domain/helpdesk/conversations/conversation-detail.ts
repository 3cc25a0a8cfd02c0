import { notFound } from '../../errors.js';
import type { Conversation, EndUser, Message } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

export interface ConversationDetail {
  conversation: Conversation;
  lastMessage: Message | null;
  user: EndUser;
  messages: Message[];
}

/** A conversation with its end-user and whole thread, private notes included. */
export async function conversationDetail(ctx: HelpdeskContext, conversationId: string): Promise<ConversationDetail> {
  const conversation = await ctx.conversations.findConversation(conversationId);
  const messages = conversation && (await ctx.conversations.listMessages(conversation.id));
  if (!conversation || !messages) throw notFound('conversation', conversationId);
  return { conversation, lastMessage: messages.at(-1) ?? null, user: conversation.user, messages };
}
