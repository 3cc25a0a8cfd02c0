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
 * `nextCursor` is opaque (cursor.ts), null on the last page.
 */
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
    sort: query.sort,
    after: query.cursor === undefined ? undefined : positionOf(query.cursor, query.sort === 'due'),
  });
  const next = page.next;
  const position: Record<string, string> | null = next && (next.due === undefined ? { at: next.at, id: next.id } : { ...next, due: next.due ? '1' : '0' });
  return { items: page.items, nextCursor: position && encodeCursor(position) };
}

/** The position a cursor holds; in the `due` order it also says whether its time is a due time. `FinError` 400 when it is not one of ours. */
function positionOf(cursor: string, byDue: boolean): ConversationCursor {
  if (!byDue) return decodeCursor(cursor, ['at', 'id']);
  const { at, id, due } = decodeCursor(cursor, ['at', 'id', 'due']);
  if (due !== '1' && due !== '0') throw invalidCursor();
  return { at, id, due: due === '1' };
}
