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

/** The last post to the webhook (a notification or a test post), for Admin → Chat notifications. */
export interface ChatAttempt {
  /** When it was answered (or failed), ISO 8601. */
  at: string;
  ok: boolean;
  /** Why it failed, naming the host only (e.g. `hooks.slack.com answered 302`); null when ok. */
  error: string | null;
  /** A test post (POST /settings/chat-webhook/test) rather than a notification. */
  test: boolean;
}

/** What one post to the webhook came to. */
export interface ChatPostResult {
  /** Null when the post was accepted (2xx), else why not (e.g. `hooks.slack.com answered 429`). */
  error: string | null;
  /** A 429 or 503 answer's Retry-After, in ms (at most an hour); null when it gave none. */
  retryAfterMs: number | null;
}

/**
 * Posts `text` to a chat webhook now, only to an address the outbound rule permits (its
 * implementation: src/notifications/chat-poster.ts). `timeoutMs` bounds the whole post.
 */
export type PostToChat = (target: { url: string; allowedNetworks?: readonly string[] }, text: string, timeoutMs?: number) => Promise<ChatPostResult>;

/** Why a chat notification is no longer wanted under `settings` (no URL, its kind switched off), or undefined. Judged when it is sent, like an agent's email choice. */
export function chatPostUnwanted(event: string, settings: ChatWebhookSettings): string | undefined {
  if (!settings.url) return 'no chat webhook is set';
  if (event === 'waiting' && settings.waitingMinutes === 0) return 'posts for long waits are off';
  if (event === 'sla_breached' && !settings.slaBreaches) return 'posts for SLA breaches are off';
  return undefined;
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

/** Text as Slack's `text` wants it: `&`, `<` and `>` escaped (Mattermost, Rocket.Chat and Google Chat show it as written). */
export function slackEscaped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
