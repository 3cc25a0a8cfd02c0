import type { AgentPresence, PresenceSettings } from '../../presence/presence.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** `GET /api/v1/me/presence`: the agent's presence and the team's idle time (the inbox needs it to go away by itself). */
export async function readPresence(ctx: HelpdeskContext, agent: Agent): Promise<AgentPresence & PresenceSettings> {
  const [presence, settings] = await Promise.all([ctx.presence.presenceOfAgent(agent.id, ctx.now().toISOString()), ctx.presence.getPresenceSettings()]);
  if (!presence) throw new Error(`agent ${agent.id} vanished`);
  return { ...presence, ...settings };
}
