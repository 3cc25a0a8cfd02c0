/**
 * Changes through the agent API (/api/v1) with a personal API token, timed. node:http over a
 * keep-alive agent rather than fetch: less client work per request, and connections are reused,
 * so what is measured is Finch and not connection setup. A failed request is an answer with
 * status 0, not an exception: a load generator counts failures, it does not stop at the first.
 */
import http from 'node:http';

export interface Answer {
  /** HTTP status, or 0 when no answer came (connection error). */
  status: number;
  /** performance.now() when the request was handed to node:http, and when the answer had fully arrived. */
  sentAt: number;
  answeredAt: number;
  /** The start of the body or the error, for anything but 2xx. */
  problem?: string;
}

const PROBLEM_CHARS = 300;

export class AgentApiClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  /**
   * `connections` caps the sockets; a request beyond it waits in node:http's queue, and that wait
   * counts in its latency (as it would for a real client).
   */
  constructor(
    baseUrl: string,
    private readonly token: string,
    connections: number,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  send(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<Answer> {
    const payload = JSON.stringify(body);
    const headers = {
      authorization: `Bearer ${this.token}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      accept: 'application/json',
    };
    return new Promise((resolve) => {
      const sentAt = performance.now();
      const request = http.request(
        { host: this.base.hostname, port: this.base.port, method, path: `/api/v1${path}`, headers, agent: this.agent },
        (response) => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          let text = '';
          // A success's body is not needed; a failure's start says why.
          response.on('data', (chunk: Buffer) => {
            if (!ok && text.length < PROBLEM_CHARS) text += chunk.toString();
          });
          response.on('end', () => resolve({ status, sentAt, answeredAt: performance.now(), ...(ok ? {} : { problem: text.slice(0, PROBLEM_CHARS) }) }));
          response.on('error', (error) => resolve({ status: 0, sentAt, answeredAt: performance.now(), problem: error.message }));
        },
      );
      request.on('error', (error) => resolve({ status: 0, sentAt, answeredAt: performance.now(), problem: error.message }));
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
