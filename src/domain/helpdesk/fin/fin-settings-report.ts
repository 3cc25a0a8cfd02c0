import { effectiveFinSettings, webhookTarget, type DeliveryState, type FinSettings, type FinSettingsField } from '../../fin-settings.js';
import type { HelpdeskContext } from '../context.js';

const FIELDS: readonly FinSettingsField[] = ['integrationId', 'webhookKey', 'region', 'baseUrl'];

export interface FinSettingsReport {
  settings: FinSettings;
  /** Where notifications go, when they can. */
  webhookUrl: string | null;
  sending: boolean;
  notSendingReason: string | null;
  overriddenByEnvironment: FinSettingsField[];
  delivery: DeliveryState;
}

/** The settings in effect, whether Finch is sending, and why not when it is not. */
export async function finSettingsReport(ctx: HelpdeskContext): Promise<FinSettingsReport> {
  const [stored, delivery] = await Promise.all([ctx.fin.settings.getFinSettings(), ctx.fin.settings.getDeliveryState()]);
  const settings = effectiveFinSettings(stored, ctx.fin.overrides);
  const target = webhookTarget(settings);
  const notSendingReason = !target.ok
    ? target.reason
    : delivery.disabledAt !== null
      ? `delivery is disabled: ${delivery.disabledReason ?? 'by an admin'}`
      : null;
  return {
    settings,
    webhookUrl: target.ok ? target.url : null,
    sending: notSendingReason === null,
    notSendingReason,
    overriddenByEnvironment: FIELDS.filter((field) => ctx.fin.overrides[field] !== undefined),
    delivery,
  };
}
