/**
 * One POST of an event to Fin's webhook endpoint. Only to an address the outbound guard permits
 * (`outbound-guard.ts`: no private, loopback or link-local address over https unless
 * FINCH_FIN_ALLOWED_NETWORKS names it; loopback only over http), checked before and while
 * connecting. Redirects are not followed (a 3xx is a failed attempt: the key must only ever go to
 * the configured host, and a hop would skip the check), the answer is read only far enough for the
 * delivery log, and nothing secret ends up in the result.
 */
import http from 'node:http';
import https from 'node:https';
import { context, propagation } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, inSpan } from '../telemetry/spans.js';
import type { Clock } from './clock.js';
import { ADDRESS_REFUSED, guardFor, refusedTarget } from './outbound-guard.js';

export interface WebhookResult {
  statusCode: number | null;
  latencyMs: number;
  /**
   * The start of the answer (at most 500 characters, control characters blanked, the webhook key
   * masked), only when it was not a 2xx: enough to tell why Fin refused. Never anything from a
   * refused address, since no connection is made.
   */
  responseExcerpt: string | null;
  retryAfter: string | null;
  /** Why the attempt failed, when it did (a status other than 2xx, a timeout, a network error, a refused address). */
  error: string | null;
}

const EXCERPT_CHARACTERS = 500;
const READ_LIMIT_BYTES = 8192;

/*
 * Connections to Fin are kept open between deliveries (the guard's agents): most notifications go
 * to one host, and a TLS handshake per POST would cost more than the POST. node:http rather than
 * fetch: a worker needed about a fifth less CPU at 200 deliveries/s (0.34 → 0.27 cores,
 * bench/README.md), it never follows redirects by itself, and its agents take the `lookup` that
 * checks each address.
 */

/**
 * @param target the webhook URL, the key, and the networks beyond the public ones the URL may reach
 * (FINCH_FIN_ALLOWED_NETWORKS; none when absent).
 * @param event what to post; its kind, attempt (1 for the first) and conversation, when given, go
 * on the delivery's span.
 *
 * @param options.judge what Finch makes of the result (the dispatcher's decision: `delivered`,
 * `retry`, `dead`, `expired`, `disabled`), run inside the span so that its `fin.outcome` is the word
 * `finch_webhook_deliveries_total{outcome}` counts the attempt under; its work (the database's) nests
 * under the span.
 *
 * Traced (src/telemetry/): a span `fin.webhook` (kind client) around the POST, with `fin.event_id`,
 * `fin.event_kind`, `fin.attempt`, `fin.conversation_id`, `http.response.status_code`, `error.type`
 * when the attempt failed (`timeout`, `network_error`, `refused`: the address is not permitted, or
 * Fin's status, e.g. `503`) and `fin.outcome`: the judge's word, or without a judge the result's
 * (`delivered`, `failed`: Fin answered other than 2xx, `timeout`, `network_error`, `refused`). The
 * request carries the span's `traceparent` (W3C Trace Context) to Fin.
 */
export async function postWebhook(
  target: { url: string; webhookKey: string; allowedNetworks?: readonly string[] },
  event: { id: string; payload: Record<string, unknown>; kind?: string; attempts?: number; conversationId?: string | null },
  options: { timeoutMs: number; clock: Clock; judge?: (result: WebhookResult) => Promise<string> },
): Promise<WebhookResult> {
  const attributes = {
    'fin.event_id': event.id,
    ...(event.kind === undefined ? {} : { 'fin.event_kind': event.kind }),
    ...(event.attempts === undefined ? {} : { 'fin.attempt': event.attempts }),
    ...(event.conversationId ? { 'fin.conversation_id': event.conversationId } : {}),
  };
  return inSpan('fin.webhook', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const result = await post(target, event, options);
    if (result.statusCode !== null) span.setAttribute('http.response.status_code', result.statusCode);
    const outcome = deliveryOutcome(result);
    if (outcome !== 'delivered') {
      span.setAttribute('error.type', outcome === 'failed' ? String(result.statusCode) : outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error ?? outcome });
    }
    // Set last: a judge that throws leaves the span without an outcome, and failed by what it threw.
    span.setAttribute('fin.outcome', options.judge ? await options.judge(result) : outcome);
    return result;
  });
}

/** A delivery attempt's outcome in one word, for its span. */
function deliveryOutcome(result: WebhookResult): 'delivered' | 'failed' | 'timeout' | 'network_error' | 'refused' {
  if (result.statusCode !== null) return result.statusCode >= 200 && result.statusCode < 300 ? 'delivered' : 'failed';
  if (result.error?.startsWith('no answer within')) return 'timeout';
  if (result.error?.startsWith('refused to connect')) return 'refused';
  return 'network_error';
}

async function post(
  target: { url: string; webhookKey: string; allowedNetworks?: readonly string[] },
  event: { id: string; payload: Record<string, unknown> },
  options: { timeoutMs: number; clock: Clock },
): Promise<WebhookResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let timedOut = false;
  let request: http.ClientRequest | undefined;
  const guard = guardFor(target.allowedNetworks);
  const url = URL.canParse(target.url) ? new URL(target.url) : undefined;
  // An IP literal is connected to without a lookup: judged here, before any socket exists.
  const refused = url ? refusedTarget(url, guard) : 'refused to connect: the webhook URL is not a URL';
  if (refused || !url) return { statusCode: null, latencyMs: latency(), responseExcerpt: null, retryAfter: null, error: refused ?? null };
  const cancelTimer = options.clock.setTimer(options.timeoutMs, () => {
    timedOut = true;
    request?.destroy(new Error('timeout'));
  });
  try {
    const body = Buffer.from(JSON.stringify(event.payload));
    // W3C Trace Context (`traceparent`, and `tracestate` when set): random ids and a sampled flag,
    // nothing of the event, so Fin (or a proxy in between) can join its side to this delivery's
    // trace. Nothing is added when tracing is off (the API's propagator is a no-op).
    const traceHeaders: Record<string, string> = {};
    propagation.inject(context.active(), traceHeaders);
    const response = await new Promise<{ status: number; excerpt: string | null; retryAfter: string | null }>((resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      request = send(
        url,
        {
          method: 'POST',
          agent: guard.agents[url.protocol as 'http:' | 'https:'],
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'user-agent': 'Finch',
            'x-webhook-key': target.webhookKey,
            // Lets Fin (and whoever reads its logs) tell one notification from another.
            'x-finch-event-id': event.id,
            ...traceHeaders,
          },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            const text = Buffer.concat(chunks).toString('utf8');
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
      responseExcerpt: ok ? null : shown(response.excerpt, target.webhookKey),
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

/** What of an answer the delivery log may show: its first 500 characters, control characters blanked, the key (should Fin echo it) masked. */
function shown(excerpt: string | null, webhookKey: string): string | null {
  if (excerpt === null) return null;
  // Masked before it is cut, so no part of the key survives at the cut.
  const masked = webhookKey === '' ? excerpt : excerpt.split(webhookKey).join('[webhook key]');
  return masked.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').slice(0, EXCERPT_CHARACTERS);
}

/** A network failure in words, e.g. "connection refused (ECONNREFUSED)". */
function networkError(error: unknown): string {
  const failure = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = failure.code ? failure : failure.cause;
  const code = cause?.code;
  // The guard's own words: which host, which address, why.
  if (code === ADDRESS_REFUSED) return cause!.message ?? 'refused to connect';
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
    ECONNABORTED: 'connection closed',
    EPIPE: 'connection closed',
    // TLS: an on-premises target whose certificate comes from a private CA needs NODE_EXTRA_CA_CERTS.
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted',
    SELF_SIGNED_CERT_IN_CHAIN: 'certificate not trusted',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate not trusted',
    CERT_HAS_EXPIRED: 'certificate expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host',
  };
  if (code) return `${words[code] ?? 'network error'} (${code})`;
  return `network error: ${cause?.message ?? (error as Error).message}`;
}
