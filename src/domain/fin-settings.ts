/**
 * Where and how Finch notifies Fin (spec §7, "Helpdesk → Fin"): the integration id and webhook key
 * from Fin's settings, and Fin's host, by region or as a base URL (the emulator and tests use one).
 * Stored in the database, each field overridable by environment variables.
 */
import { WEBHOOK_PATH_PREFIX } from '../contract/webhooks.js';
import { NetworkRule, ipLiteral, isLoopbackAddress } from '../lib/network-rule.js';

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

/**
 * Set by environment variables; these win over the stored value of the same field.
 * `allowedNetworks` (FINCH_FIN_ALLOWED_NETWORKS) is never stored: networks such as `10.20.0.0/16`
 * that an https:// base URL may reach although they are private (on-premises targets).
 */
export type FinSettingsOverrides = Partial<FinSettings> & { allowedNetworks?: readonly string[] };

export type FinSettingsField = keyof FinSettings;

/** The settings in effect, with the networks an https:// base URL may reach beyond the public ones. */
export type EffectiveFinSettings = FinSettings & { allowedNetworks: readonly string[] };

export function effectiveFinSettings(stored: FinSettings, overrides: FinSettingsOverrides): EffectiveFinSettings {
  return {
    integrationId: overrides.integrationId ?? stored.integrationId,
    webhookKey: overrides.webhookKey ?? stored.webhookKey,
    region: overrides.region ?? stored.region,
    baseUrl: overrides.baseUrl ?? stored.baseUrl,
    allowedNetworks: overrides.allowedNetworks ?? [],
  };
}

/**
 * Where webhooks go, or why none can be sent. `allowedNetworks` travels with the URL so the sender
 * judges addresses by the same rule the settings were checked with.
 */
export type WebhookTarget = { ok: true; url: string; webhookKey: string; allowedNetworks: readonly string[] } | { ok: false; reason: string };

/**
 * @param settings as `effectiveFinSettings` gives them; without `allowedNetworks` (settings read
 * some other way) no private network is allowed, so nothing is sent where it should not go.
 */
export function webhookTarget(settings: FinSettings & { allowedNetworks?: readonly string[] }): WebhookTarget {
  const missing = [
    settings.integrationId ? null : 'integration id',
    settings.webhookKey ? null : 'webhook key',
    settings.baseUrl || settings.region ? null : 'region or base URL',
  ].filter((field): field is string => field !== null);
  if (missing.length > 0) return { ok: false, reason: `Fin is not configured: ${missing.join(', ')} missing` };
  const base = (settings.baseUrl ?? REGION_HOSTS[settings.region!]).replace(/\/+$/, '');
  const url = `${base}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(settings.integrationId!)}`;
  return { ok: true, url, webhookKey: settings.webhookKey!, allowedNetworks: settings.allowedNetworks ?? [] };
}

/**
 * A Fin base URL must be HTTPS, except on loopback (a local emulator): the webhook key travels in
 * its requests. Over HTTPS its host must not be an address in a private, loopback, link-local or
 * other special range (`lib/network-rule.ts`) unless `allowedNetworks` names it: Finch shows the
 * start of the target's answers, so a base URL must not be a way to reach internal services (a
 * cloud metadata service at 169.254.169.254, say). Only IP literals (in any spelling the URL
 * standard accepts: `0x7f000001`, `2130706433`, `[::ffff:127.0.0.1]`) and `localhost` names are
 * judged here; host names are judged on the addresses they resolve to, at connect time
 * (`outbox/outbound-guard.ts`). Returns why a URL is refused, or undefined when it is fine.
 */
export function baseUrlProblem(value: string, allowedNetworks: readonly string[] = []): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not have a query or fragment';
  const host = ipLiteral(url.hostname) ?? (isLocalhostName(url.hostname) ? '127.0.0.1' : undefined);
  if (url.protocol === 'http:') {
    return host !== undefined && isLoopbackAddress(host) ? undefined : 'must be https:// (http:// is allowed only for localhost)';
  }
  if (url.protocol !== 'https:') return 'must be https:// (http:// is allowed only for localhost)';
  const refusal = host === undefined ? undefined : new NetworkRule(allowedNetworks).refusal(host);
  if (refusal === undefined) return undefined;
  return `must not point to ${url.hostname}, ${refusal} (set FINCH_FIN_ALLOWED_NETWORKS to allow an on-premises network)`;
}

/** `localhost` and its subdomains always name loopback (RFC 6761 §6.3). */
function isLocalhostName(hostname: string): boolean {
  return /(^|\.)localhost\.?$/i.test(hostname);
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
