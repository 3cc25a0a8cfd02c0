/**
 * The events a change to a conversation is: derived from the conversation before and after it, so
 * that every use case records the same facts the same way and only real changes become events
 * (issue 12, "Activity"; docs/decisions.md, "Activity"). Pure: no clock, no store.
 */
import type { ConversationStatus } from '../model.js';
import type { ActivityActor, ActivityEvent, AssignmentHow } from './activity.js';

/** What the rule reads of a conversation: a `Conversation` is one. */
export interface ConversationState {
  id: string;
  status: ConversationStatus;
  assignee: { id: string } | null;
  /** Why it went to people without Fin handing it over (`Conversation.handoverReason`). */
  handoverReason: string | null;
}

/** Who made the change, when, and how an assignment in it came about. */
export interface ChangeSource {
  /** ISO 8601 UTC, the change's time (the events' `at`). */
  at: string;
  actor: ActivityActor;
  /** How a new assignee got it: `manual` (an agent's act), `automatic` (the router), `return` (the customer's return), `fin` (Fin's update). */
  how: AssignmentHow;
  /** The hand-over's reason when the change puts the conversation in Waiting; default: the conversation's `handoverReason` after it. */
  reason?: string | null;
}

/** Statuses a conversation is finished in; leaving one for `open` is a reopening. */
const FINISHED: ReadonlySet<ConversationStatus> = new Set(['resolved', 'closed', 'ended']);

/** Whether it sits in Waiting: open with nobody assigned. */
export function isWaiting(conversation: Pick<ConversationState, 'status' | 'assignee'>): boolean {
  return conversation.status === 'open' && conversation.assignee === null;
}

/**
 * The events between `before` (null: the change created it) and `after`, in this order:
 *
 * - `created` when `before` is null (nothing else: a new conversation starts open with Fin);
 * - `status_changed {from, to}` when the status changed, followed by `reopened {from}` when it went
 *   from resolved, closed or ended to open;
 * - `handed_over {reason}` when it entered Waiting (open with nobody assigned, and was not), the
 *   reason `source.reason` if given, else `after.handoverReason` (null: Fin handed it over);
 * - `assigned {assigneeId, previousAssigneeId, how}` when someone else holds it now;
 * - `unassigned {previousAssigneeId}` when nobody holds it now but it is not open (so not Waiting).
 *
 * `[]` when neither the status nor the assignee changed (a title, tags, attributes, read marks).
 */
export function activityBetween(before: ConversationState | null, after: ConversationState, source: ChangeSource): ActivityEvent[] {
  const { at, actor } = source;
  const conversationId = after.id;
  if (before === null) return [{ conversationId, at, actor, kind: 'created', details: {} }];

  const events: ActivityEvent[] = [];
  if (before.status !== after.status) {
    events.push({ conversationId, at, actor, kind: 'status_changed', details: { from: before.status, to: after.status } });
    if (after.status === 'open' && FINISHED.has(before.status)) events.push({ conversationId, at, actor, kind: 'reopened', details: { from: before.status } });
  }
  const previousAssigneeId = before.assignee?.id ?? null;
  const assigneeId = after.assignee?.id ?? null;
  if (isWaiting(after) && !isWaiting(before)) {
    const reason = source.reason === undefined ? after.handoverReason : source.reason;
    events.push({ conversationId, at, actor, kind: 'handed_over', details: { reason } });
  } else if (assigneeId === null && previousAssigneeId !== null) {
    events.push({ conversationId, at, actor, kind: 'unassigned', details: { previousAssigneeId } });
  }
  if (assigneeId !== null && assigneeId !== previousAssigneeId) {
    events.push({ conversationId, at, actor, kind: 'assigned', details: { assigneeId, previousAssigneeId, how: source.how } });
  }
  return events;
}
