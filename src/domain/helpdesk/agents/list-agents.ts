import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** Every agent for admins; the active ones (to assign conversations to) for everyone else. */
export async function listAgents(ctx: HelpdeskContext, viewer: Agent): Promise<Agent[]> {
  return viewer.role === 'admin' ? ctx.accounts.listAllAgents() : ctx.accounts.listAgents();
}
