/**
 * One POST of an event to Fin's webhook endpoint. Redirects are not followed (a 3xx is a failed
 * attempt: the key must only ever go to the configured host), the answer is read only far enough
 * for the delivery log, and nothing secret ends up in the result.
 */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from './clock.js';

export interface WebhookResult {
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  retryAfter: string | null;
  /** Why the attempt failed, when it did (a status other than 2xx, a timeout, a network error). */
  error: string | null;
}

const EXCERPT_CHARACTERS = 500;
const READ_LIMIT_BYTES = 8192;

/**
 * Connections to Fin are kept open between deliveries: most notifications go to one host, and a
 * TLS handshake per POST would cost more than the POST. node:http rather than fetch: a worker
 * needed about a fifth less CPU at 200 deliveries/s (0.34 → 0.27 cores, bench/README.md), and it
 * never follows redirects by itself.
 */
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export async function postWebhook(
  target: { url: string; webhookKey: string },
  event: { id: string; payload: Record<string, unknown> },
  options: { timeoutMs: number; clock: Clock },
): Promise<WebhookResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let timedOut = false;
  let request: http.ClientRequest | undefined;
  const cancelTimer = options.clock.setTimer(options.timeoutMs, () => {
    timedOut = true;
    request?.destroy(new Error('timeout'));
  });
  try {
    const url = new URL(target.url);
    const body = Buffer.from(JSON.stringify(event.payload));
    const response = await new Promise<{ status: number; excerpt: string | null; retryAfter: string | null }>((resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      request = send(
        url,
        {
          method: 'POST',
          agent: AGENTS[url.protocol as keyof typeof AGENTS],
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'user-agent': 'Finch',
            'x-webhook-key': target.webhookKey,
            // Lets Fin (and whoever reads its logs) tell one notification from another.
            'x-finch-event-id': event.id,
          },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARACTERS);
            const retryAfter = incoming.headers['retry-after'];
            resolve({ status: incoming.statusCode ?? 0, excerpt: text === '' ? null : text, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
          };
          incoming.on('data', (chunk: Buffer) => {
            if (size >= READ_LIMIT_BYTES) return;
            chunks.push(chunk);
            size += chunk.length;
            // Enough for the delivery log: stop reading (and do not reuse this connection).
            if (size >= READ_LIMIT_BYTES) {
              incoming.destroy();
              finish();
            }
          });
          incoming.on('end', finish);
          incoming.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    const ok = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      latencyMs: latency(),
      responseExcerpt: response.excerpt,
      retryAfter: response.retryAfter,
      error: ok ? null : `Fin answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`,
    };
  } catch (error) {
    return {
      statusCode: null,
      latencyMs: latency(),
      responseExcerpt: null,
      retryAfter: null,
      error: timedOut ? `no answer within ${options.timeoutMs} ms` : networkError(error),
    };
  } finally {
    cancelTimer();
  }
}

/** A network failure in words, e.g. "connection refused (ECONNREFUSED)". */
function networkError(error: unknown): string {
  const failure = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = failure.code ? failure : failure.cause;
  const code = cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
    ECONNABORTED: 'connection closed',
    EPIPE: 'connection closed',
  };
  if (code) return `${words[code] ?? 'network error'} (${code})`;
  return `network error: ${cause?.message ?? (error as Error).message}`;
}
