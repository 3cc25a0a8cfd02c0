import type { EndUserPatch } from '../../../contract/agent-api.js';
import { checkAttributes } from '../../attributes.js';
import { notFound } from '../../errors.js';
import type { EndUser } from '../../model.js';
import { userChanges } from '../../users.js';
import type { HelpdeskContext } from '../context.js';

/**
 * An agent corrects an end-user's name, email or attributes (merged). Fin is told through each of
 * the user's conversations still going on, since its notifications name a conversation.
 */
export async function updateEndUser(ctx: HelpdeskContext, userId: string, patch: EndUserPatch): Promise<EndUser> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(patch.attributes, '/attributes');
  const at = ctx.now().toISOString();
  const { user, changed } = await ctx.transaction(async (tx) => {
    const current = await tx.lockUser(userId);
    if (!current) throw notFound('user', userId);
    const changes = userChanges(current, patch);
    if (Object.keys(changes).length === 0) return { user: current, changed: false };
    const updated = await tx.updateUser(userId, changes, at);
    for (const conversationId of await tx.activeConversationIdsOfUser(userId)) await tx.enqueueSync(conversationId, at);
    return { user: updated, changed: true };
  });
  if (changed) ctx.outboxWritten();
  return user;
}
