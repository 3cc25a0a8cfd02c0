import type { UpdateConversationInput } from '../../contract/requests.js';
import type { ConversationChanges } from '../../store/port.js';
import { FIN_ACTOR } from '../activity/activity.js';
import { activityBetween } from '../activity/activity-between.js';
import { assigneeAfterFinUpdate } from '../assignment.js';
import { checkAttributes } from '../attributes.js';
import { timestamp, type FinContext } from '../context.js';
import { assign, fieldChanges, type ConversationFieldsInput } from '../conversation-changes.js';
import { guardFinUpdate } from '../people-edits.js';
import { notFound, unprocessable } from '../errors.js';
import type { Agent, Conversation } from '../model.js';
import { normalizeTimestamp } from '../time.js';
import { applyUserFields } from '../users.js';

/**
 * Fin's end-of-sync update and its handover (`assignee_id: null`). Tags replace the set,
 * attributes merge key by key, and while a human agent holds the conversation the assignee and
 * status stay (see `assigneeAfterFinUpdate`); a field people changed that Fin had not read, or
 * that Fin only repeats its old value for, stays people's (`guardFinUpdate`), and when Fin had not
 * read people's latest change it is told to pull again (a sync event, in this transaction): the
 * answer is still the current conversation. Nothing is written when nothing changes, so Fin's routine
 * end-of-sync calls do not move conversations around the helpdesk's lists. Its activity, by Fin
 * (`activityBetween`): status changes, reopening, assignment (`fin`) and hand-over (reason null);
 * nothing when neither the status nor the assignee changed.
 */
export async function updateConversation(ctx: FinContext, input: UpdateConversationInput): Promise<Conversation> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(input.attributes, '/attributes');
  checkAttributes(input.user?.attributes, '/user/attributes');
  const at = timestamp(ctx);
  const lastUserReadAt =
    input.last_user_read_at === undefined || input.last_user_read_at === null
      ? input.last_user_read_at
      : normalizeTimestamp(input.last_user_read_at, '/last_user_read_at');

  return ctx.store.transaction(async (tx) => {
    const conversation = await tx.lockConversation(input.conversation_id);
    if (!conversation) throw notFound('conversation', input.conversation_id);

    let requestedAssignee: Agent | null | undefined = input.assignee_id === null ? null : undefined;
    if (typeof input.assignee_id === 'string') {
      const agent = await tx.findAgent(input.assignee_id);
      if (!agent?.active) {
        throw unprocessable('unknown_agent', `No active agent has the id ${JSON.stringify(input.assignee_id)}.`, '/assignee_id');
      }
      requestedAssignee = agent;
    }

    let userChanged = false;
    if (input.user) {
      const { id, user_type: _userType, ...fields } = input.user;
      // An empty id is no id (docs/decisions.md, "Lenient on Fin's input").
      if (id && id !== conversation.user.id) {
        throw unprocessable('user_mismatch', `user.id ${JSON.stringify(id)} is not the end-user of this conversation.`, '/user/id');
      }
      const updated = await applyUserFields(tx, conversation.user.id, fields, at, '/user/attributes');
      userChanged = updated !== undefined && updated.updatedAt !== conversation.user.updatedAt;
    }

    // People's changes Fin has not seen, or only repeats its old state over, stand (people-edits.ts).
    const guarded = guardFinUpdate(conversation, input);
    const changes = conversationChanges(conversation, guarded.input, requestedAssignee, lastUserReadAt);
    if (guarded.edits) changes.peopleEdits = guarded.edits;
    if (guarded.notify) await tx.enqueueSync(conversation.id, at);
    if (Object.keys(changes).length > 0) {
      const updated = await tx.updateConversation(conversation.id, changes, at);
      const events = activityBetween(conversation, updated, { at, actor: FIN_ACTOR, how: 'fin' });
      if (events.length === 0 || !ctx.recordActivity) return updated;
      await ctx.recordActivity(tx, events);
      // What the events meant (the SLA clock's times, finch_reply_due_at) was written after `updated` was read.
      return (await tx.findConversation(updated.id)) ?? updated;
    }
    return userChanged ? ((await tx.findConversation(conversation.id)) ?? conversation) : conversation;
  });
}

function conversationChanges(
  current: Conversation,
  fields: ConversationFieldsInput,
  requestedAssignee: Agent | null | undefined,
  lastUserReadAt: string | null | undefined,
): ConversationChanges {
  let changes = fieldChanges(current, fields);
  const assigneeId = assigneeAfterFinUpdate(current.assignee, requestedAssignee);
  if (assigneeId !== undefined) changes = assign(changes, current, assigneeId);
  if (lastUserReadAt !== undefined && lastUserReadAt !== current.lastUserReadAt) changes.lastUserReadAt = lastUserReadAt;
  return changes;
}
