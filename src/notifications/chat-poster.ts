/**
 * One post to the team's chat webhook: Slack's JSON (`{"text": …}`), only to an address the
 * outbound rule permits (outbox/outbound-guard.ts: FINCH's rule for Fin's base URL, checked before
 * and while connecting), no redirects followed, a timeout. The URL never appears in what it
 * returns: an error names the host only.
 */
import http from 'node:http';
import https from 'node:https';
import { guardFor, refusedTarget } from '../outbox/outbound-guard.js';

/** Null when the post was accepted (2xx), else why not. */
export async function postToChat(target: { url: string; allowedNetworks?: readonly string[] }, text: string, timeoutMs = 10_000): Promise<string | null> {
  const guard = guardFor(target.allowedNetworks);
  const url = URL.canParse(target.url) ? new URL(target.url) : undefined;
  if (!url) return 'the chat webhook URL is not a URL';
  const refused = refusedTarget(url, guard);
  if (refused) return refused;
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
        response.on('end', () => resolve(status >= 200 && status < 300 ? null : `${url.host} answered ${status}`));
        response.on('error', (error) => resolve(`${url.host}: ${error.message}`));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(`${url.host}: ${error.message.split(target.url).join(url.host)}`));
    request.end(body);
  });
}
