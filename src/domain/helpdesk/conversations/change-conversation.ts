import type { HelpdeskTransaction } from '../../../store/helpdesk-port.js';
import type { ConversationChanges } from '../../../store/port.js';
import { notFound } from '../../errors.js';
import { withPeopleEdits } from '../../people-edits.js';
import type { Conversation } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/**
 * Runs an agent's change to a conversation: locks it, lets `change` work out what to write, and,
 * when something changed, writes it with a sync event for Fin in the same transaction, so that
 * Fin hears of every change made on the helpdesk side and of none that did not happen.
 */
export async function changeConversation(
  ctx: HelpdeskContext,
  conversationId: string,
  change: (current: Conversation, tx: HelpdeskTransaction, at: string) => Promise<ConversationChanges> | ConversationChanges,
  /** The change wrote something of its own (a message): the conversation changed whatever `change` returns. */
  options: { changedAnyway?: boolean } = {},
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
    return { conversation: updated, changed: true };
  });
  if (changed) ctx.outboxWritten();
  return conversation;
}
