import type { FinSettingsInput } from '../../../contract/agent-api.js';
import { unprocessable } from '../../errors.js';
import { baseUrlProblem } from '../../fin-settings.js';
import type { HelpdeskContext } from '../context.js';
import { finSettingsReport, type FinSettingsReport } from './fin-settings-report.js';

/** Stores the fields given (null clears one) and re-enables delivery on request. */
export async function updateFinSettings(ctx: HelpdeskContext, input: FinSettingsInput): Promise<FinSettingsReport> {
  if (input.base_url) {
    // IP literals are judged now (FINCH_FIN_ALLOWED_NETWORKS applies); host names when connecting.
    const problem = baseUrlProblem(input.base_url, ctx.fin.overrides.allowedNetworks);
    if (problem) throw unprocessable('invalid_base_url', `base_url ${problem}.`, '/base_url');
  }
  const at = ctx.now().toISOString();
  // The settings and the delivery switch commit together; the stored settings are read under lock,
  // so two admins saving different fields at once both keep theirs.
  await ctx.transaction(async (tx) => {
    const stored = await tx.settings.getFinSettings();
    await tx.settings.putFinSettings(
      {
        integrationId: input.integration_id === undefined ? stored.integrationId : input.integration_id,
        webhookKey: input.webhook_key === undefined ? stored.webhookKey : input.webhook_key,
        region: input.region === undefined ? stored.region : input.region,
        baseUrl: input.base_url === undefined ? stored.baseUrl : input.base_url?.replace(/\/+$/, '') || null,
      },
      at,
    );
    if (input.delivery_enabled !== undefined) {
      await tx.settings.updateDeliveryState(
        (state) =>
          input.delivery_enabled
            ? { ...state, disabledAt: null, disabledReason: null }
            : { ...state, disabledAt: state.disabledAt ?? at, disabledReason: state.disabledReason ?? 'disabled by an admin' },
        at,
      );
    }
  });
  ctx.fin.settingsChanged();
  return finSettingsReport(ctx);
}
