import type { ConversationListQuery } from '../../../contract/agent-api.js';
import type { ConversationCursor, ConversationListItem } from '../../../store/helpdesk-port.js';
import type { Agent } from '../../model.js';
import { searchWords as wordsOf } from '../../search-words.js';
import type { HelpdeskContext } from '../context.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../cursor.js';

const MAX_WORDS = 8;

/** Words of a search, by the one word rule of the index (domain/search-words.ts): at most 8, without repeats. */
export function searchWords(q: string | undefined): string[] {
  return [...new Set(wordsOf(q ?? ''))].slice(0, MAX_WORDS);
}

/**
 * One page of a queue as `viewer` sees it, in the queue's order or (`sort: 'due'`) by reply due time;
 * `nextCursor` is opaque (cursor.ts), good for this queue and order only, null on the last page.
 */
export async function listConversations(
  ctx: HelpdeskContext,
  viewer: Agent,
  query: ConversationListQuery,
): Promise<{ items: ConversationListItem[]; nextCursor: string | null }> {
  const queue = query.queue ?? 'all';
  // The queue's own order depends on the queue (waiting is oldest first): a cursor is good for one queue and order.
  const list = `queue:${queue}:${query.sort ?? 'default'}`;
  const page = await ctx.conversations.listConversations({
    viewerId: viewer.id,
    queue,
    status: query.status,
    tag: query.tag,
    words: searchWords(query.q),
    limit: query.limit ?? 25,
    sort: query.sort,
    after: query.cursor === undefined ? undefined : positionOf(query.cursor, list, query.sort === 'due'),
  });
  const next = page.next;
  const position: Record<string, string> | null = next && (next.due === undefined ? { at: next.at, id: next.id } : { ...next, due: next.due ? '1' : '0' });
  return { items: page.items, nextCursor: position && encodeCursor(list, position) };
}

/** The position a cursor holds; in the `due` order it also says whether its time is a due time. `FinError` 400 when it is not one of ours. */
function positionOf(cursor: string, list: string, byDue: boolean): ConversationCursor {
  if (!byDue) return decodeCursor(cursor, list, ['at', 'id']);
  const { at, id, due } = decodeCursor(cursor, list, ['at', 'id', 'due']);
  if (due !== '1' && due !== '0') throw invalidCursor();
  return { at, id, due: due === '1' };
}
