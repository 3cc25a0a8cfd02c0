import type { ConversationListQuery } from '../../contract/agent-api.js';
import type { ConversationCursor, ConversationListItem, QueueCounts } from '../../store/helpdesk-port.js';
import { notFound } from '../errors.js';
import type { Agent, Conversation, EndUser, Message } from '../model.js';
import type { HelpdeskContext } from './context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { searchWords as wordsOf } from '../search-words.js';

const MAX_WORDS = 8;

/** Words of a search, by the one word rule of the index (domain/search-words.ts): at most 8, without repeats. */
export function searchWords(q: string | undefined): string[] {
  return [...new Set(wordsOf(q ?? ''))].slice(0, MAX_WORDS);
}

export async function listConversations(
  ctx: HelpdeskContext,
  viewer: Agent,
  query: ConversationListQuery,
): Promise<{ items: ConversationListItem[]; nextCursor: string | null }> {
  const page = await ctx.store.listConversations({
    viewerId: viewer.id,
    queue: query.queue ?? 'all',
    status: query.status,
    tag: query.tag,
    words: searchWords(query.q),
    limit: query.limit ?? 25,
    after: query.cursor === undefined ? undefined : decodeCursor<Record<keyof ConversationCursor, string>>(query.cursor, ['at', 'id']),
  });
  return { items: page.items, nextCursor: page.next && encodeCursor(page.next) };
}

export function countQueues(ctx: HelpdeskContext, viewer: Agent): Promise<QueueCounts> {
  return ctx.store.countQueues(viewer.id);
}

export interface ConversationDetail {
  conversation: Conversation;
  lastMessage: Message | null;
  user: EndUser;
  messages: Message[];
}

/** A conversation with its end-user and whole thread, private notes included. */
export async function conversationDetail(ctx: HelpdeskContext, conversationId: string): Promise<ConversationDetail> {
  const conversation = await ctx.store.findConversation(conversationId);
  const messages = conversation && (await ctx.store.listMessages(conversation.id));
  if (!conversation || !messages) throw notFound('conversation', conversationId);
  return { conversation, lastMessage: messages.at(-1) ?? null, user: conversation.user, messages };
}
