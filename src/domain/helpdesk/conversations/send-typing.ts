import { effectiveFinSettings, webhookTarget } from '../../fin-settings.js';
import { notFound } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** At most one typing notification per conversation and agent in this window. */
export const TYPING_THROTTLE_MS = 3_000;
/** A typing notification is worthless after this: never sent later, never retried. */
export const TYPING_LIFETIME_MS = 5_000;

/**
 * Tells Fin the agent is typing, so the Fin Messenger shows it. Returns whether a notification
 * was queued: not when one went out for this agent less than 3 s ago, nor when Fin is not set up.
 *
 * Colleagues viewing the conversation are told too (collision detection, issue 12, item 3): each
 * of the agent's inboxes showing it notes the time, and every node hears who is on it now; the
 * typing fades `TYPING_FADE_MS` after the last call (domain/presence/presence.ts).
 */
export async function sendTyping(ctx: HelpdeskContext, agent: Agent, conversationId: string): Promise<boolean> {
  const settings = effectiveFinSettings(await ctx.fin.settings.getFinSettings(), ctx.fin.overrides);
  const now = ctx.now();
  const at = now.toISOString();
  const { queued, typing } = await ctx.transaction(async (tx) => {
    const conversation = await tx.findConversation(conversationId);
    if (!conversation) throw notFound('conversation', conversationId);
    const typing = (await tx.presence.markTyping(agent.id, conversationId, at)) > 0;
    if (!webhookTarget(settings).ok) return { queued: false, typing };
    const queued = await tx.enqueueTyping({
      conversationId,
      agentId: agent.id,
      payload: {
        conversation_id: conversationId,
        event_type: 'agent_typing',
        data: { agent: { id: agent.id, user_type: 'agent', name: agent.name, email: agent.email } },
      },
      at,
      expiresAt: new Date(now.getTime() + TYPING_LIFETIME_MS).toISOString(),
      throttleSince: new Date(now.getTime() - TYPING_THROTTLE_MS).toISOString(),
    });
    return { queued, typing };
  });
  if (queued) ctx.outboxWritten();
  if (typing) await ctx.presence.announce([{ conversationId }]);
  return queued;
}
