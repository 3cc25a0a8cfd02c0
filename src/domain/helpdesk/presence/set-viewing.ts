import { notFound } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { PresenceSignal } from '../../presence/presence.js';
import type { HelpdeskContext } from '../context.js';

/**
 * `PUT /api/v1/me/viewing`: which conversation the inbox on connection `connectionId` (its event
 * stream's, given in `ready`) shows, or null. Everyone on the conversation it left and the one it
 * opened hears who is on it now (issue 12, item 3). 404 when the connection is not the agent's
 * live one, or the conversation does not exist.
 */
export async function setViewing(ctx: HelpdeskContext, agent: Agent, connectionId: string, conversationId: string | null): Promise<void> {
  const at = ctx.now().toISOString();
  const previous = await ctx.transaction(async (tx) => {
    if (conversationId !== null && !(await tx.findConversation(conversationId))) throw notFound('conversation', conversationId);
    const result = await tx.presence.setViewing(connectionId, agent.id, conversationId, at);
    if (!result) throw notFound('connection', connectionId);
    return result.previous;
  });
  if (previous === conversationId) return;
  const signals: PresenceSignal[] = [];
  if (previous !== null) signals.push({ conversationId: previous });
  if (conversationId !== null) signals.push({ conversationId });
  await ctx.presence.announce(signals);
}
