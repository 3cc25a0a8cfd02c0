import type { Agent } from '../../model.js';
import type { RoutingSettings } from '../../routing/routing-settings.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/**
 * An admin sets automatic assignment's settings (all of them: mode, default capacity,
 * reassignWhenAway). Written under the routing lock, so a pass running meanwhile finishes with the
 * old settings and the next reads the new; this process's router is woken after the commit (other
 * nodes' at their next poll), so turning routing on routes what waits at once. Throws 403 unless
 * the agent is an admin.
 */
export async function updateRoutingSettings(ctx: HelpdeskContext, admin: Agent, settings: RoutingSettings): Promise<RoutingSettings> {
  requireAdmin(admin);
  const at = ctx.now().toISOString();
  await ctx.transaction(async (tx) => {
    await tx.routing.lockRouting();
    await tx.routing.putRoutingSettings(settings, at);
  });
  ctx.routing.wake();
  return settings;
}
