/**
 * One post to the team's chat webhook: Slack's JSON (`{"text": …}`), only to an address the
 * outbound rule permits (outbox/outbound-guard.ts: FINCH's rule for Fin's base URL, checked before
 * and while connecting), no redirects followed, a timeout. The URL never appears in what it
 * returns: an error names the host only.
 */
import http from 'node:http';
import https from 'node:https';
import type { ChatPostResult } from '../domain/notifications/chat-webhook.js';
import { guardFor, refusedTarget } from '../outbox/outbound-guard.js';

/** The longest Retry-After honoured (a longer one is read as this): a chat server cannot park Finch's posts for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export async function postToChat(
  target: { url: string; allowedNetworks?: readonly string[] },
  text: string,
  timeoutMs = 10_000,
  now: () => number = Date.now,
): Promise<ChatPostResult> {
  const failed = (error: string, retryAfterMs: number | null = null): ChatPostResult => ({ error, retryAfterMs });
  const guard = guardFor(target.allowedNetworks);
  const url = URL.canParse(target.url) ? new URL(target.url) : undefined;
  if (!url) return failed('the chat webhook URL is not a URL');
  const refused = refusedTarget(url, guard);
  if (refused) return failed(refused);
  const body = JSON.stringify({ text });
  const module = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = module.request(
      url,
      {
        method: 'POST',
        agent: guard.agents[url.protocol as 'http:' | 'https:'],
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Finch' },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        const retryAfter = status === 429 || status === 503 ? retryAfterMs(response.headers['retry-after'], now()) : null;
        response.on('end', () =>
          resolve(status >= 200 && status < 300 ? { error: null, retryAfterMs: null } : failed(`${url.host} answered ${status}`, retryAfter)),
        );
        response.on('error', (error) => resolve(failed(`${url.host}: ${error.message}`)));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(failed(`${url.host}: ${error.message.split(target.url).join(url.host)}`)));
    request.end(body);
  });
}

/** RFC 9110 Retry-After: seconds, or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
