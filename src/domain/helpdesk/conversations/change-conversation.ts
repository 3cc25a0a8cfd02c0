import type { HelpdeskTransaction } from '../../../store/helpdesk-port.js';
import type { ConversationChanges } from '../../../store/port.js';
import { SYSTEM_ACTOR, type ActivityActor, type ActivityEvent } from '../../activity/activity.js';
import { activityBetween } from '../../activity/activity-between.js';
import { recordActivity } from '../../activity/record-activity.js';
import { notFound } from '../../errors.js';
import { withPeopleEdits } from '../../people-edits.js';
import type { Conversation } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

export interface ChangeOptions {
  /** The change wrote something of its own (a message): the conversation changed whatever `change` returns. */
  changedAnyway?: boolean;
  /** Who changes it (the activity's actor; an agent's change assigns by hand, `manual`). Default: Finch itself. */
  actor?: ActivityActor;
  /** The hand-over reason the activity gives when the change puts the conversation in Waiting (`activityBetween`). */
  reason?: string | null;
  /**
   * Events of the change beyond what `activityBetween` derives (e.g. `first_human_reply`), recorded
   * after those in the same transaction, so the timeline reads "Ana took it", then "First reply by Ana".
   */
  activity?: (updated: Conversation, at: string) => ActivityEvent[];
}

/**
 * Runs an agent's change to a conversation: locks it, lets `change` work out what to write, and,
 * when something changed, writes it with a sync event for Fin and its activity (status, assignee:
 * `activityBetween`, recorded with what it means) in the same transaction, so that Fin and the
 * record hear of every change made on the helpdesk side and of none that did not happen.
 */
export async function changeConversation(
  ctx: HelpdeskContext,
  conversationId: string,
  change: (current: Conversation, tx: HelpdeskTransaction, at: string) => Promise<ConversationChanges> | ConversationChanges,
  options: ChangeOptions = {},
): Promise<Conversation> {
  const at = ctx.now().toISOString();
  const { conversation, changed } = await ctx.transaction(async (tx) => {
    const current = await tx.lockConversation(conversationId);
    if (!current) throw notFound('conversation', conversationId);
    // Recorded with the change, so Fin's updates computed before it cannot undo it (people-edits.ts).
    const changes = withPeopleEdits(current, await change(current, tx, at));
    if (Object.keys(changes).length === 0 && !options.changedAnyway) return { conversation: current, changed: false };
    const updated = await tx.updateConversation(current.id, changes, at);
    await tx.enqueueSync(current.id, at);
    const source = { at, actor: options.actor ?? SYSTEM_ACTOR, how: 'manual' as const };
    const derived = activityBetween(current, updated, options.reason === undefined ? source : { ...source, reason: options.reason });
    const events = [...derived, ...(options.activity?.(updated, at) ?? [])];
    await recordActivity(tx, events);
    // What the events meant (the SLA clock's times, finch_reply_due_at) was written after `updated` was read.
    return { conversation: events.length === 0 ? updated : ((await tx.findConversation(updated.id)) ?? updated), changed: true };
  });
  if (changed) ctx.outboxWritten();
  return conversation;
}
