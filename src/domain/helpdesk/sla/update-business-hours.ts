import { checkSlaSettings } from '../../sla/check-sla-settings.js';
import type { SlaSettings } from '../../sla/sla-settings.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/**
 * Replaces the business hours and SLA targets (admins; `FinError` 403 otherwise, 422 pointing at
 * the field that is not usable, a target these hours cannot reach included: check-sla-settings.ts).
 * The time zone is stored in its one spelling (`utc` as `UTC`, `EST5EDT` as America/New_York). Due times already set stay as they were:
 * the new hours and targets apply from the next hand-over (docs/decisions.md, "SLAs").
 */
export async function updateBusinessHours(ctx: HelpdeskContext, agent: Agent, input: SlaSettings): Promise<SlaSettings> {
  requireAdmin(agent);
  const at = ctx.now().toISOString();
  const settings = checkSlaSettings(input, at);
  await ctx.transaction((tx) => tx.sla.putSlaSettings(settings, at));
  return settings;
}
