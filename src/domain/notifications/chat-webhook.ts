/**
 * The team's chat webhook (Admin → Chat notifications, issue 12 item 4): an incoming-webhook URL
 * that takes Slack's JSON (`{"text": …}`; Mattermost, Rocket.Chat and Google Chat take it too),
 * posted to when a hand-over has waited longer than `waitingMinutes` and when an SLA is breached.
 * The URL carries a token in Slack's and Google's: it is never logged and shown only masked.
 */
import { baseUrlProblem } from '../fin-settings.js';

export interface ChatWebhookSettings {
  /** Null: no chat notifications. */
  url: string | null;
  /** Post when a hand-over has waited this many minutes with nobody assigned; 0: never. */
  waitingMinutes: number;
  /** Post when an SLA target is missed. */
  slaBreaches: boolean;
}

export const NO_CHAT_WEBHOOK: ChatWebhookSettings = { url: null, waitingMinutes: 10, slaBreaches: true };

/** Where a chat notification is queued to: the current URL is read when it is sent, so a changed URL takes the pending ones. */
export const CHAT_RECIPIENT = 'chat-webhook';

/**
 * Why `value` cannot be the webhook URL, or undefined: https:// (http:// only to loopback, as for
 * Fin's base URL), no credentials, not an address the outbound rule refuses (FINCH_FIN_ALLOWED_NETWORKS
 * can allow an on-premises chat server). A query is allowed: Google Chat's URLs carry their key in it.
 */
export function chatWebhookUrlProblem(value: string, allowedNetworks: readonly string[] = []): string | undefined {
  if (!URL.canParse(value)) return 'is not a URL';
  const url = new URL(value);
  url.search = '';
  url.hash = '';
  // Fin's base URL rule, the same outbound rule (a query is fine here: Google Chat's URLs carry their key in it).
  return baseUrlProblem(url.href, allowedNetworks)?.replace(' (set FINCH_FIN_ALLOWED_NETWORKS to allow an on-premises network)', '');
}

/** The URL as it may be shown and logged: scheme, host and the last 4 characters (`https://hooks.slack.com/…x9Zq`). */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    const rest = `${url.pathname}${url.search}`;
    return `${url.protocol}//${url.host}/…${rest.length > 8 ? rest.slice(-4) : ''}`;
  } catch {
    return '…';
  }
}
