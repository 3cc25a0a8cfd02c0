import type { ConversationPatch } from '../../../contract/agent-api.js';
import { checkAttributes } from '../../attributes.js';
import { assign, fieldChanges } from '../../conversation-changes.js';
import { unprocessable } from '../../errors.js';
import type { Agent, Conversation } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/**
 * An agent edits a conversation: status, title, tags (replaced), attributes (merged) and the
 * assignee (any active agent; the Fin agent hands it back to Fin; null puts it in the waiting queue).
 */
export function editConversation(ctx: HelpdeskContext, _agent: Agent, conversationId: string, patch: ConversationPatch): Promise<Conversation> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(patch.attributes, '/attributes');
  return changeConversation(ctx, conversationId, async (current, tx) => {
    const changes = fieldChanges(current, patch);
    if (patch.assignee_id === undefined) return changes;
    if (patch.assignee_id !== null) {
      const assignee = await tx.findAgent(patch.assignee_id);
      if (!assignee?.active) throw unprocessable('unknown_agent', `No active agent has the id ${JSON.stringify(patch.assignee_id)}.`, '/assignee_id');
    }
    return assign(changes, current, patch.assignee_id);
  });
}
