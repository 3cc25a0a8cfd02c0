import type { SlaSettings } from '../../sla/sla-settings.js';
import type { HelpdeskContext } from '../context.js';

/** The business hours and SLA targets (any agent may read them: the inbox shows due times by them). */
export function readBusinessHours(ctx: HelpdeskContext): Promise<SlaSettings> {
  return ctx.sla.getSlaSettings();
}
