/**
 * A stand-in for Fin's webhook endpoint on loopback: records every notification and answers as
 * the test scripts it (a status, a header, a delay, or no answer at all).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export class FinReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Answers to give, in order; once used up, `fallback` answers. */
  readonly script: Answer[] = [];
  fallback: Answer = { status: 202, body: '{"ok":true}' };
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  private readonly waiting: { count: number; resolve: () => void }[] = [];
  private readonly hanging = new Set<http.ServerResponse>();

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` notifications in all have arrived. */
  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${this.received.length} of ${count} notifications`)), timeoutMs);
      this.waiting.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsable: text };
      }
      this.received.push({ path: request.url ?? '', headers: request.headers, body, at: Date.now() });
      for (const waiter of [...this.waiting]) {
        if (this.received.length >= waiter.count) {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      const answer = this.script.shift() ?? this.fallback;
      if (answer === 'hang') {
        this.hanging.add(response);
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '');
    });
  }
}
