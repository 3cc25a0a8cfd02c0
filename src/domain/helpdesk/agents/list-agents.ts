import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import type { TeamMember } from './team-member.js';

/**
 * Every agent for admins; the active ones (to assign conversations to) for everyone else. Each
 * human agent carries their presence (shared by every node: domain/presence/), how many open
 * conversations they hold and their capacity (issue 12, item 1).
 */
export async function listAgents(ctx: HelpdeskContext, viewer: Agent): Promise<TeamMember[]> {
  const [agents, team] = await Promise.all([
    viewer.role === 'admin' ? ctx.accounts.listAllAgents() : ctx.accounts.listAgents(),
    ctx.presence.teamStatus(ctx.now().toISOString()),
  ]);
  return agents.map((agent) => {
    const status = agent.isFin ? undefined : team.get(agent.id);
    return status ? { ...agent, status } : agent;
  });
}
