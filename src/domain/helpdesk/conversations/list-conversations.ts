import type { ConversationListQuery } from '../../../contract/agent-api.js';
import type { ConversationCursor, ConversationListItem } from '../../../store/helpdesk-port.js';
import type { Agent } from '../../model.js';
import { searchWords as wordsOf } from '../../search-words.js';
import type { HelpdeskContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';

const MAX_WORDS = 8;

/** Words of a search, by the one word rule of the index (domain/search-words.ts): at most 8, without repeats. */
export function searchWords(q: string | undefined): string[] {
  return [...new Set(wordsOf(q ?? ''))].slice(0, MAX_WORDS);
}

/** One page of a queue as `viewer` sees it; `nextCursor` is opaque (cursor.ts), null on the last page. */
export async function listConversations(
  ctx: HelpdeskContext,
  viewer: Agent,
  query: ConversationListQuery,
): Promise<{ items: ConversationListItem[]; nextCursor: string | null }> {
  const page = await ctx.conversations.listConversations({
    viewerId: viewer.id,
    queue: query.queue ?? 'all',
    status: query.status,
    tag: query.tag,
    words: searchWords(query.q),
    limit: query.limit ?? 25,
    after: query.cursor === undefined ? undefined : decodeCursor<keyof ConversationCursor>(query.cursor, ['at', 'id']),
  });
  return { items: page.items, nextCursor: page.next && encodeCursor(page.next) };
}
