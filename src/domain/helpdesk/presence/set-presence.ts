import type { AgentPresence, ChosenPresence } from '../../presence/presence.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

export interface PresenceChoice {
  status: ChosenPresence;
  /**
   * The inbox sets it by itself (idle, or active again) rather than the agent: it goes away only
   * from online, and comes back online only from an away it chose itself, so a chosen away stays.
   */
  automatic?: boolean | undefined;
}

/**
 * `PUT /api/v1/me/presence`: the agent's presence while an inbox of theirs is open (issue 12,
 * item 1). Every node hears of a change (the team list); the router is woken, since an agent who
 * comes online may take waiting conversations and one who goes away may have theirs returned.
 * Answers the agent's presence after the change.
 */
export async function setPresence(ctx: HelpdeskContext, agent: Agent, choice: PresenceChoice): Promise<AgentPresence> {
  const at = ctx.now().toISOString();
  // Only an away can be the inbox's own; back online is plain online.
  const automatic = (choice.automatic ?? false) && choice.status === 'away';
  const { presence, changed } = await ctx.transaction(async (tx) => {
    const current = await tx.presence.presenceOfAgent(agent.id, at);
    if (!current) throw new Error(`agent ${agent.id} vanished`);
    if (!mayChange(current, choice.status, choice.automatic ?? false)) return { presence: current, changed: false };
    if (current.chosen === choice.status && current.automatic === automatic) return { presence: current, changed: false };
    await tx.presence.writeChosen(agent.id, choice.status, automatic, at);
    return {
      presence: { status: current.status === 'offline' ? 'offline' : choice.status, chosen: choice.status, automatic } satisfies AgentPresence,
      changed: true,
    };
  });
  if (changed) {
    await ctx.presence.announce([{ team: true }]);
    ctx.routing.wake();
  }
  return presence;
}

/** The inbox's own changes never override the agent's: see `PresenceChoice.automatic`. */
function mayChange(current: AgentPresence, status: ChosenPresence, automatic: boolean): boolean {
  if (!automatic) return true;
  if (status === 'away') return current.chosen === 'online';
  return current.chosen === 'online' || current.automatic;
}
