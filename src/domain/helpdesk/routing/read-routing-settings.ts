import type { RoutingSettings } from '../../routing/routing-settings.js';
import type { HelpdeskContext } from '../context.js';

/** Automatic assignment's settings, as stored over the defaults (any signed-in agent may read them: the inbox shows whether routing is on). */
export function readRoutingSettings(ctx: HelpdeskContext): Promise<RoutingSettings> {
  return ctx.routing.store.getRoutingSettings();
}
