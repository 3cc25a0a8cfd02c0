import type { ConversationPatch } from '../../../contract/agent-api.js';
import type { ConversationChanges } from '../../../store/port.js';
import { agentActor } from '../../activity/activity.js';
import { isWaiting } from '../../activity/activity-between.js';
import { checkAttributes } from '../../attributes.js';
import { assign, fieldChanges } from '../../conversation-changes.js';
import { unprocessable } from '../../errors.js';
import type { Agent, Conversation } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/**
 * The handover reason of a conversation an agent put in Waiting: unassigned while open, or
 * opened again with nobody assigned (docs/decisions.md, "Activity").
 */
export const AGENT_UNASSIGNED = 'agent_unassigned';

/**
 * An agent edits a conversation: status, title, tags (replaced), attributes (merged) and the
 * assignee (any active agent; the Fin agent hands it back to Fin; null puts it in the waiting queue,
 * handover reason `agent_unassigned`). Its activity: status changes, reopening, assignment by hand
 * (`manual`), hand-over.
 */
export function editConversation(ctx: HelpdeskContext, agent: Agent, conversationId: string, patch: ConversationPatch): Promise<Conversation> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(patch.attributes, '/attributes');
  return changeConversation(
    ctx,
    conversationId,
    async (current, tx) => {
      const changes = fieldChanges(current, patch);
      if (patch.assignee_id === undefined) return toWaiting(current, changes);
      if (patch.assignee_id !== null) {
        const assignee = await tx.findAgent(patch.assignee_id);
        if (!assignee?.active) throw unprocessable('unknown_agent', `No active agent has the id ${JSON.stringify(patch.assignee_id)}.`, '/assignee_id');
      }
      return toWaiting(current, assign(changes, current, patch.assignee_id));
    },
    { actor: agentActor(agent.id) },
  );
}

/** The changes, with the reason `agent_unassigned` when they put the conversation in Waiting. */
function toWaiting(current: Conversation, changes: ConversationChanges): ConversationChanges {
  const assigneeId = changes.assigneeId === undefined ? (current.assignee?.id ?? null) : changes.assigneeId;
  const after = { status: changes.status ?? current.status, assignee: assigneeId === null ? null : { id: assigneeId } };
  return isWaiting(after) && !isWaiting(current) ? { ...changes, handoverReason: AGENT_UNASSIGNED } : changes;
}
