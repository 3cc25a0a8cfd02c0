import { notFound } from '../../errors.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** Revokes an OAuth client and every access token it was issued (admins only; 404 when unknown). */
export async function revokeOAuthClient(ctx: HelpdeskContext, admin: Agent, clientId: string): Promise<void> {
  requireAdmin(admin);
  const revoked = await ctx.transaction((tx) => tx.credentials.revokeClient(clientId, ctx.now().toISOString()));
  if (!revoked) throw notFound('client', clientId);
}
