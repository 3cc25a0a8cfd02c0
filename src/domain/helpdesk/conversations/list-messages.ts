import { THREAD_PAGE } from '../../../contract/agent-api.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { notFound } from '../../errors.js';
import type { EndUser, Message } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** A page of a thread, oldest first; `cursor` reads the messages before it, null at the first message. */
export interface MessagePage {
  messages: Message[];
  cursor: string | null;
}

/**
 * The newest `limit` messages of a conversation before `before` (a cursor this function gave out;
 * the newest messages without one), private notes included, oldest first. Reads only the page, so
 * a thread of any length opens at the same cost (docs/decisions.md, "Threads of any length").
 * Throws 404 `conversation_not_found`, and 400 `invalid_cursor` for a cursor Finch did not give out
 * for this conversation's thread.
 */
export async function listMessages(
  ctx: HelpdeskContext,
  conversationId: string,
  /** `user`: the conversation's end-user, when the caller read the conversation already. */
  options: { before?: string | undefined; limit?: number | undefined; user?: EndUser },
): Promise<MessagePage> {
  const list = `thread:${conversationId}`;
  const position = options.before === undefined ? null : decodeCursor(options.before, list, ['created_at', 'id'], '/before');
  const page = await ctx.conversations.listThreadPage(
    conversationId,
    position && { createdAt: position.created_at, id: position.id },
    options.limit ?? THREAD_PAGE.default,
    options.user,
  );
  if (!page) throw notFound('conversation', conversationId);
  const first = page.messages[0];
  return { messages: page.messages, cursor: page.hasOlder && first ? encodeCursor(list, { created_at: first.createdAt, id: first.id }) : null };
}
