/**
 * What activity events mean for a conversation's service levels, written in the transaction of
 * the change that caused them (recordActivity calls this). Rules (docs/decisions.md, "SLAs"):
 *
 * - `handed_over` starts the SLA clock: `handedOverAt` = the event's time; `replyDueAt` /
 *   `resolveDueAt` = that time plus the targets in business minutes (business-time.ts), null
 *   without a target; `slaBreachedAt` and the SLA job's marks are cleared (a new hand-over is a new
 *   promise; the activity keeps the earlier breach). Unless the clock is already running: a
 *   conversation back in Waiting before anyone replied (its agent went away or was deactivated)
 *   keeps its due time, since the customer has been waiting all along.
 * - `first_human_reply` stops the reply clock: `handedOverAt` and `replyDueAt` cleared (the
 *   resolution target keeps running; a recorded breach stays visible).
 * - `status_changed` to resolved, closed or ended, and `assigned` to the Fin agent (handed back), clear
 *   every due time and `handedOverAt`: nobody owes the customer a reply any more.
 *
 * With `writeReplyDueAttribute` on, a hand-over with a reply target also writes the due time (ISO
 * 8601 UTC) into the attribute `finch_reply_due_at` and queues a sync so Fin can tell the customer;
 * the attribute is removed when the clock stops. Finch writes it as itself, not as people: it is
 * not recorded in the conversation's people's edits (domain/people-edits.ts), so Fin's updates may
 * change or clear it like any attribute of its own.
 */
import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';
import type { ConversationChanges } from '../../store/port.js';
import type { ActivityEvent } from '../activity/activity.js';
import type { Attributes, Conversation } from '../model.js';
import { addBusinessMinutes } from './business-time.js';
import type { SlaSettings } from './sla-settings.js';

/** The conversation attribute Fin's workflows can read to tell the customer when to expect a reply. */
export const REPLY_DUE_ATTRIBUTE = 'finch_reply_due_at';

const FINISHED = new Set(['resolved', 'closed', 'ended']);

export async function applySla(tx: HelpdeskTransaction, events: readonly ActivityEvent[]): Promise<void> {
  let settings: SlaSettings | undefined;
  for (const event of events) {
    if (!startsOrStops(event)) continue;
    const conversation = await tx.findConversation(event.conversationId);
    if (!conversation) continue;
    // Assigned to the Fin agent: handed back (Fin may also assign a person, which stops nothing).
    if (event.kind === 'assigned' && !(conversation.assignee?.isFin && conversation.assignee.id === event.details.assigneeId)) continue;
    if (event.kind === 'handed_over') {
      settings ??= await tx.sla.getSlaSettings();
      await startClock(tx, conversation, settings, event.at);
    } else {
      await stopClock(tx, conversation, event.kind === 'first_human_reply' ? 'reply' : 'all', event.at);
    }
  }
}

function startsOrStops(event: ActivityEvent): boolean {
  switch (event.kind) {
    case 'handed_over':
    case 'first_human_reply':
      return true;
    case 'status_changed':
      return FINISHED.has(event.details.to);
    case 'assigned':
      return true;
    default:
      return false;
  }
}

async function startClock(tx: HelpdeskTransaction, conversation: Conversation, settings: SlaSettings, at: string): Promise<void> {
  if (conversation.handedOverAt !== null) return;
  const due = (minutes: number | null) => (minutes === null ? null : addBusinessMinutes(at, minutes, settings));
  const replyDueAt = due(settings.firstReplyMinutes);
  const changes: ConversationChanges = { handedOverAt: at, replyDueAt, resolveDueAt: due(settings.resolutionMinutes), slaBreachedAt: null };
  const attributes = settings.writeReplyDueAttribute ? withReplyDue(conversation.attributes, replyDueAt) : undefined;
  if (attributes) changes.attributes = attributes;
  await tx.sla.clearMarks(conversation.id);
  await tx.updateConversation(conversation.id, changes, at);
  if (attributes) await tx.enqueueSync(conversation.id, at);
}

async function stopClock(tx: HelpdeskTransaction, conversation: Conversation, which: 'reply' | 'all', at: string): Promise<void> {
  const changes: ConversationChanges = {};
  if (conversation.handedOverAt !== null) changes.handedOverAt = null;
  if (conversation.replyDueAt !== null) changes.replyDueAt = null;
  if (which === 'all' && conversation.resolveDueAt !== null) changes.resolveDueAt = null;
  const attributes = withReplyDue(conversation.attributes, null);
  if (attributes) changes.attributes = attributes;
  if (Object.keys(changes).length === 0) return;
  await tx.updateConversation(conversation.id, changes, at);
  if (attributes) await tx.enqueueSync(conversation.id, at);
}

/** The attributes with `finch_reply_due_at` set to `dueAt` (removed when null), or undefined when that changes nothing. */
function withReplyDue(attributes: Attributes, dueAt: string | null): Attributes | undefined {
  const current = attributes[REPLY_DUE_ATTRIBUTE] ?? null;
  if (current === dueAt) return undefined;
  const { [REPLY_DUE_ATTRIBUTE]: _removed, ...rest } = attributes;
  return dueAt === null ? rest : { ...attributes, [REPLY_DUE_ATTRIBUTE]: dueAt };
}
