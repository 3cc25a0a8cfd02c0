import type { Agent } from '../../model.js';
import type { TeamMemberStatus } from '../../presence/presence.js';
import type { HelpdeskContext } from '../context.js';

/** An agent as the team list shows them: with their presence, open conversations and capacity (the Fin agent without). */
export type TeamMember = Agent & { status?: TeamMemberStatus };

/**
 * `agent` with the status the team list gives them, so every answer that carries an agent (the
 * list, an invitation, an edit) has the same shape: a person always with presence, open
 * conversations and capacity, the Fin agent never.
 */
export async function asTeamMember(ctx: HelpdeskContext, agent: Agent): Promise<TeamMember> {
  if (agent.isFin) return agent;
  const status = (await ctx.presence.teamStatus(ctx.now().toISOString())).get(agent.id);
  return status ? { ...agent, status } : agent;
}
