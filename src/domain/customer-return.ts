/**
 * What an end-user's new message does to its conversation (docs/decisions.md, "The customer's
 * return"): somebody must see it.
 *
 * - Open and held by a person (an active human agent): it stays theirs and is marked unread
 *   (`unreadAt`, the first unread message's time) until they open it.
 * - Not open (`resolved`, `closed` or `ended`: the customer came back to a finished conversation):
 *   it opens again; to its agent, marked unread, when that agent is an active human; to Fin when
 *   Fin held it (Fin answers first, as with any new question, and hands over if it cannot help:
 *   a "thanks" after Fin's answer must not land in the people's queue); otherwise (nobody, or a
 *   deactivated agent) to the waiting queue (no assignee, handover reason `customer_returned`).
 * - Open and held by a deactivated agent (left from before deactivation handed work back): to the
 *   waiting queue, `customer_returned`, since nobody would ever read it.
 * - Open with Fin or waiting: nothing changes beyond the message itself.
 *
 * Its activity, by the end-user (`activityForEndUserMessage`): what changed (`activityBetween`:
 * status, reopening, hand-over `customer_returned`); a return to the agent who holds it is
 * recorded as an assignment to them `on return` (how `return`), and a message a person holds the
 * conversation for as `customer_replied` (notifications tell that person).
 */
import type { ActivityEvent } from './activity/activity.js';
import { activityBetween } from './activity/activity-between.js';
import { assign } from './conversation-changes.js';
import { heldByPerson, isHuman, type Conversation } from './model.js';
import type { ConversationChanges } from '../store/port.js';

/** The handover reason of a conversation the customer came back to with nobody to read it. */
export const CUSTOMER_RETURNED = 'customer_returned';

/** The changes an end-user's new message at `at` makes; `{}` when none. */
export function changesForEndUserMessage(current: Conversation, at: string): ConversationChanges {
  const unread = current.unreadAt === null ? { unreadAt: at } : {};
  if (heldByPerson(current.assignee)) return current.status === 'open' ? unread : { status: 'open', ...unread };
  if (current.status === 'open' && !isHuman(current.assignee)) return {};
  if (current.assignee?.isFin) return { status: 'open' };
  return { ...assign({ status: 'open' }, current, null), handoverReason: CUSTOMER_RETURNED, ...(current.unreadAt === null ? {} : { unreadAt: null }) };
}

/** Whether the changes move the conversation in a way Fin must hear of (status or assignee). */
export function routesConversation(changes: ConversationChanges): boolean {
  return changes.status !== undefined || changes.assigneeId !== undefined;
}

/**
 * The activity of an end-user's new message `messageId` at `at`: `before` and `after` are the
 * conversation before and after `changesForEndUserMessage`'s changes (the same object when none).
 */
export function activityForEndUserMessage(before: Conversation, after: Conversation, messageId: string, at: string): ActivityEvent[] {
  const actor = { type: 'end_user', id: after.user.id } as const;
  const conversationId = after.id;
  const events = activityBetween(before, after, { at, actor, how: 'return' });
  if (!heldByPerson(after.assignee)) return events;
  const assigneeId = after.assignee!.id;
  if (before.status !== 'open' && before.assignee?.id === assigneeId) {
    events.push({ conversationId, at, actor, kind: 'assigned', details: { assigneeId, previousAssigneeId: assigneeId, how: 'return' } });
  }
  events.push({ conversationId, at, actor, kind: 'customer_replied', details: { messageId } });
  return events;
}
