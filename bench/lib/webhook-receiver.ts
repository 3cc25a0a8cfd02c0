/**
 * Fin's webhook endpoint, stood in for by a bare node:http server on loopback that answers 202 at
 * once and writes down when each notification arrived.
 *
 * It runs inside the bench process rather than in a child, on purpose: the times it records and
 * the times the load generator records come from one monotonic clock (performance.now(), below a
 * millisecond), so a latency is a plain subtraction, and nothing has to be shipped back between
 * processes. The price is a shared event loop; at a few hundred small requests a second that is
 * light work, and `LoopDelay` (below) measures the loop so that a run it distorted shows it.
 * (test/support/fin-receiver.ts is the tests' receiver: it keeps whole requests, scripts answers
 * and stamps Date.now(), which is more than a measurement wants and coarser than it needs.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { delay } from './service.js';

export interface Receipt {
  /** performance.now() when the request's headers were read. */
  at: number;
  conversationId: string;
  /** `x-finch-event-id`: the same event delivered twice has the same id. */
  eventId: string;
}

export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  /** POSTs whose body or event id could not be read: Finch sent something it should not. */
  readonly malformed: string[] = [];
  private readonly server = http.createServer((request, response) => this.handle(request, response));

  async start(): Promise<this> {
    // Finch's dispatcher posts up to 16 at a time per process; keep those connections open.
    this.server.keepAliveTimeout = 72_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** What FINCH_FIN_BASE_URL points at. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Resolves true once `done()` holds, or false after `timeoutMs` without it. Polled, not checked
   * on each receipt: `done` may look at every conversation, and receipts' times are already taken.
   */
  async waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      if (performance.now() > deadline) return false;
      await delay(50);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const at = performance.now();
    const eventId = request.headers['x-finch-event-id'];
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(202, { 'content-length': '0' }).end();
      const text = Buffer.concat(chunks).toString();
      const conversationId = conversationOf(text);
      if (typeof eventId !== 'string' || conversationId === undefined) {
        this.malformed.push(`${request.method} ${request.url} event ${String(eventId)}: ${text.slice(0, 200)}`);
        return;
      }
      this.receipts.push({ at, conversationId, eventId });
    });
  }
}

function conversationOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { conversation_id?: unknown }).conversation_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const LOOP_RESOLUTION_MS = 5;

/** How late this process's event loop ran its callbacks: a busy loop would delay the receiver's stamps. */
export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

  constructor() {
    this.histogram.enable();
  }

  /** Milliseconds late. */
  stop(): { p99Ms: number; maxMs: number } {
    this.histogram.disable();
    // The histogram holds whole timer intervals; the lateness is what exceeds the interval.
    const late = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    return { p99Ms: late(this.histogram.percentile(99)), maxMs: late(this.histogram.max) };
  }
}
