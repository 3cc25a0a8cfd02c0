/**
 * One POST of an event to Fin's webhook endpoint. Redirects are not followed (a 3xx is a failed
 * attempt: the key must only ever go to the configured host), the answer is read only far enough
 * for the delivery log, and nothing secret ends up in the result.
 */
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

export async function postWebhook(
  target: { url: string; webhookKey: string },
  event: { id: string; payload: Record<string, unknown> },
  options: { timeoutMs: number; clock: Clock },
): Promise<WebhookResult> {
  const controller = new AbortController();
  const cancelTimer = options.clock.setTimer(options.timeoutMs, () => controller.abort());
  const started = performance.now();
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Finch',
        'x-webhook-key': target.webhookKey,
        // Lets Fin (and whoever reads its logs) tell one notification from another.
        'x-finch-event-id': event.id,
      },
      body: JSON.stringify(event.payload),
      redirect: 'manual',
      signal: controller.signal,
    });
    const excerpt = await readExcerpt(response);
    const ok = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      latencyMs: Math.round(performance.now() - started),
      responseExcerpt: excerpt,
      retryAfter: response.headers.get('retry-after'),
      error: ok ? null : `Fin answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`,
    };
  } catch (error) {
    return {
      statusCode: null,
      latencyMs: Math.round(performance.now() - started),
      responseExcerpt: null,
      retryAfter: null,
      error: controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : networkError(error),
    };
  } finally {
    cancelTimer();
  }
}

async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < READ_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARACTERS);
  return text === '' ? null : text;
}

/** A network failure in words, e.g. "connection refused (ECONNREFUSED)". */
function networkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
  };
  if (code) return `${words[code] ?? 'network error'} (${code})`;
  return `network error: ${cause?.message ?? (error as Error).message}`;
}
