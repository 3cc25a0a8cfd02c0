/**
 * Timed GET requests over kept-alive connections, for latency rather than throughput: node:http
 * with a keep-alive agent has less client overhead per request than fetch, so more of what is
 * measured is the server.
 */
import http from 'node:http';

export interface TimedResponse {
  status: number;
  body: Buffer;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

export class TimedHttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly headers: Record<string, string>,
    connections: number,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  }

  get(path: string): Promise<TimedResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.get({ host: this.base.hostname, port: this.base.port, path, headers: this.headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
        response.on('error', reject);
      });
      request.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
