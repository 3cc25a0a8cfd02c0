import type { PresenceSettings } from '../../presence/presence.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** `PUT /api/v1/settings/presence` (admins): after how many idle minutes an inbox sets its agent away (0: never). */
export async function updatePresenceSettings(ctx: HelpdeskContext, admin: Agent, settings: PresenceSettings): Promise<PresenceSettings> {
  requireAdmin(admin);
  const at = ctx.now().toISOString();
  await ctx.transaction((tx) => tx.presence.putPresenceSettings(settings, at));
  // Open inboxes read the setting again (they hear it as a change of the team).
  await ctx.presence.announce([{ team: true }]);
  return settings;
}
