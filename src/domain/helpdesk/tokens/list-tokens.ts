import type { ApiTokenRecord } from '../../../store/port.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** Tokens: agents see their own; admins all of them. */
export async function listTokens(ctx: HelpdeskContext, viewer: Agent): Promise<ApiTokenRecord[]> {
  const tokens = await ctx.access.listApiTokens();
  return viewer.role === 'admin' ? tokens : tokens.filter((token) => token.agentId === viewer.id);
}
