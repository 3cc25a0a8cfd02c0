import type { CreateMessageInput } from '../../contract/requests.js';
import { timestamp, type FinContext } from '../context.js';
import { activityForEndUserMessage, changesForEndUserMessage, routesConversation } from '../customer-return.js';
import { withPeopleEdits } from '../people-edits.js';
import { notFound } from '../errors.js';
import { draftMessage, messageFor } from '../messages.js';
import type { Message } from '../model.js';
import type { Created } from './created.js';

/**
 * Mirrors an end-user's message or one of Fin's answers into the conversation. An end-user's new
 * message is seen by somebody (customer-return.ts): it reopens a finished conversation, to its
 * agent or to the waiting queue, and marks a person's conversation unread; when it moved the
 * conversation Fin is told (it did not make that change itself), in the same transaction, as is
 * its activity (`activityForEndUserMessage`: reopened, handed over, customer replied).
 */
export async function createMessage(ctx: FinContext, input: CreateMessageInput): Promise<Created<Message>> {
  const at = timestamp(ctx);
  const draft = draftMessage(input, at, '');
  return ctx.store.transaction(async (tx) => {
    const conversation = await tx.lockConversation(input.conversation_id);
    if (!conversation) throw notFound('conversation', input.conversation_id);
    const { value, created } = await tx.insertMessage(await messageFor(tx, conversation, draft, ''));
    // A new message is activity on the conversation: it moves up in the helpdesk's lists.
    if (created) {
      const changes = draft.author.user_type === 'end_user' ? changesForEndUserMessage(conversation, at) : {};
      // Reopening is the helpdesk's change: Fin's older view of the status must not undo it.
      const recorded = routesConversation(changes) ? withPeopleEdits(conversation, changes, { reopenedByCustomer: true }) : changes;
      const updated = await tx.updateConversation(conversation.id, recorded, at);
      if (routesConversation(changes)) await tx.enqueueSync(conversation.id, at);
      if (draft.author.user_type === 'end_user') await ctx.recordActivity?.(tx, activityForEndUserMessage(conversation, updated, value.id, at));
    }
    return { value, replayed: !created };
  });
}
