import type { ActivityListQuery } from '../../../contract/activity.js';
import type { ActivityEntry } from '../../activity/activity.js';
import { notFound } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { HelpdeskContext } from '../context.js';

export interface ActivityListing {
  /** Oldest first. */
  entries: ActivityEntry[];
  /** The names of the people the entries name (actors, assignees), by id: agents as they are now, the end-user. */
  names: ReadonlyMap<string, string>;
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/**
 * A conversation's activity, oldest first, a page at a time (`limit`, default 100; the cursor the
 * previous page gave). Any signed-in agent may read it. 404 `not_found` for an unknown
 * conversation, 400 `invalid_cursor` for a cursor this API did not give out for this conversation's activity.
 */
export async function listActivity(ctx: HelpdeskContext, conversationId: string, query: ActivityListQuery): Promise<ActivityListing> {
  const list = `activity:${conversationId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, list, ['at', 'id'] as const);
  const conversation = await ctx.conversations.findConversation(conversationId);
  if (!conversation) throw notFound('conversation', conversationId);
  const limit = query.limit ?? 100;
  // One more than asked for tells whether there is a next page.
  const found = await ctx.activity.listActivity(conversationId, { limit: limit + 1, after });
  const entries = found.slice(0, limit);
  const last = entries.at(-1);
  const names = new Map<string, string>();
  if (conversation.user.name !== null) names.set(conversation.user.id, conversation.user.name);
  for (const id of new Set(entries.flatMap(agentIdsOf))) {
    const agent = await ctx.accounts.findAgent(id);
    if (agent) names.set(id, agent.name);
  }
  return { entries, names, nextCursor: found.length > limit && last ? encodeCursor(list, { at: last.at, id: last.id }) : null };
}

/** The agents an entry names. */
function agentIdsOf(entry: ActivityEntry): string[] {
  const ids = entry.actor.type === 'agent' && entry.actor.id !== null ? [entry.actor.id] : [];
  switch (entry.kind) {
    case 'assigned':
      return [...ids, entry.details.assigneeId, ...(entry.details.previousAssigneeId === null ? [] : [entry.details.previousAssigneeId])];
    case 'unassigned':
      return [...ids, entry.details.previousAssigneeId];
    case 'first_human_reply':
      return [...ids, entry.details.agentId];
    default:
      return ids;
  }
}
