/**
 * Where and how Finch notifies Fin (spec §7, "Helpdesk → Fin"): the integration id and webhook key
 * from Fin's settings, and Fin's host, by region or as a base URL (the emulator and tests use one).
 * Stored in the database, each field overridable by environment variables.
 */
import { WEBHOOK_PATH_PREFIX } from '../contract/webhooks.js';

export type FinRegion = 'us' | 'eu' | 'au';

export const REGION_HOSTS: Record<FinRegion, string> = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
};

export interface FinSettings {
  integrationId: string | null;
  webhookKey: string | null;
  region: FinRegion | null;
  /** Overrides the region's host. */
  baseUrl: string | null;
}

export const NO_FIN_SETTINGS: FinSettings = { integrationId: null, webhookKey: null, region: null, baseUrl: null };

/** Set by environment variables; these win over the stored value of the same field. */
export type FinSettingsOverrides = Partial<FinSettings>;

export type FinSettingsField = keyof FinSettings;

export function effectiveFinSettings(stored: FinSettings, overrides: FinSettingsOverrides): FinSettings {
  return {
    integrationId: overrides.integrationId ?? stored.integrationId,
    webhookKey: overrides.webhookKey ?? stored.webhookKey,
    region: overrides.region ?? stored.region,
    baseUrl: overrides.baseUrl ?? stored.baseUrl,
  };
}

/** Where webhooks go, or why none can be sent. */
export type WebhookTarget = { ok: true; url: string; webhookKey: string } | { ok: false; reason: string };

export function webhookTarget(settings: FinSettings): WebhookTarget {
  const missing = [
    settings.integrationId ? null : 'integration id',
    settings.webhookKey ? null : 'webhook key',
    settings.baseUrl || settings.region ? null : 'region or base URL',
  ].filter((field): field is string => field !== null);
  if (missing.length > 0) return { ok: false, reason: `Fin is not configured: ${missing.join(', ')} missing` };
  const base = (settings.baseUrl ?? REGION_HOSTS[settings.region!]).replace(/\/+$/, '');
  const url = `${base}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(settings.integrationId!)}`;
  return { ok: true, url, webhookKey: settings.webhookKey! };
}

/**
 * A Fin base URL must be HTTPS, except on loopback (a local emulator): the webhook key travels in
 * its requests. Returns why a URL is refused, or undefined when it is fine.
 */
export function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return 'must be https:// (http:// is allowed only for localhost)';
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The state of delivery to Fin, kept beside the settings. */
export interface DeliveryState {
  /** Fin answered 410 Gone: nothing is sent until an admin re-enables delivery. */
  disabledAt: string | null;
  disabledReason: string | null;
  /** The first failed attempt since the last success; null while Fin answers. */
  unreachableSince: string | null;
  lastSuccessAt: string | null;
}

export const INITIAL_DELIVERY_STATE: DeliveryState = { disabledAt: null, disabledReason: null, unreachableSince: null, lastSuccessAt: null };
