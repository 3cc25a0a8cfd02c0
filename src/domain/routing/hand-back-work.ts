/**
 * An agent who cannot answer now gives their open conversations back to Waiting: a deactivated
 * agent (edit-agent.ts, reason `agent_deactivated`) and, with `reassignWhenAway`, an away one
 * (route-waiting.ts, reason `agent_away`; away means chosen, or set by the idle inbox, with an
 * inbox connected: offline does not count, docs/decisions.md "Routing"). Each conversation gets
 * nobody assigned and the handover reason, the people-edits record of the change (Fin's later
 * update cannot give it back), a sync event for Fin and a `handed_over` activity event, all in the
 * caller's unit of work; routing then gives them to someone online.
 */
import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';
import type { ActivityActor } from '../activity/activity.js';
import { recordActivity } from '../activity/record-activity.js';
import { assign } from '../conversation-changes.js';
import { withPeopleEdits } from '../people-edits.js';

/** Returns how many of `agentId`'s open conversations went back to Waiting. */
export async function handBackWork(tx: HelpdeskTransaction, agentId: string, reason: string, actor: ActivityActor, at: string): Promise<number> {
  let handed = 0;
  for (const id of await tx.openConversationIdsOf(agentId)) {
    const current = await tx.lockConversation(id);
    // Checked again under the lock: the conversation may have moved since it was listed.
    if (current?.assignee?.id !== agentId || current.status !== 'open') continue;
    await tx.updateConversation(id, withPeopleEdits(current, { ...assign({}, current, null), handoverReason: reason }), at);
    await tx.enqueueSync(id, at);
    await recordActivity(tx, [{ conversationId: id, at, kind: 'handed_over', actor, details: { reason } }]);
    handed++;
  }
  return handed;
}
