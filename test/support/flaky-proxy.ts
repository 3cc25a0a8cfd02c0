/**
 * A reverse proxy on loopback that can be told to fail: it forwards requests to a real helpdesk
 * and answers the next few matching ones with an error instead, to see how Fin's side copes. With
 * rewrite hooks it turns a correct helpdesk into a broken one (the conformance checker's tests).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Rewrite {
  /** Changes a request before it reaches the helpdesk, or answers it in the helpdesk's place. */
  request?: (request: ProxiedRequest) => ProxiedRequest | ProxiedResponse;
  /** Changes the helpdesk's answer. */
  response?: (response: ProxiedResponse, request: ProxiedRequest) => ProxiedResponse;
}

export class FlakyProxy {
  /** Requests that will fail: a method and path prefix, how many times, and the status. */
  private faults: { method: string; path: string; remaining: number; status: number }[] = [];
  readonly seen: { method: string; path: string; status: number }[] = [];
  private readonly server = http.createServer((request, response) => void this.forward(request, response));

  constructor(
    private readonly target: string,
    private readonly rewrite: Rewrite = {},
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  fail(method: string, path: string, times: number, status = 503): void {
    this.faults.push({ method, path, remaining: times, status });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async forward(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && candidate.method === request.method && path.startsWith(candidate.path));
    if (fault) {
      fault.remaining--;
      this.seen.push({ method: request.method!, path, status: fault.status });
      response.writeHead(fault.status, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Injected failure', status: fault.status }));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'connection' && name !== 'content-length'),
    ) as Record<string, string>;
    const rewritten = this.rewrite.request ? this.rewrite.request({ method: request.method!, path, headers, body: Buffer.concat(chunks) }) : undefined;
    if (rewritten && 'status' in rewritten) return this.answer(response, rewritten, path, request.method!);
    const sent: ProxiedRequest = rewritten ?? { method: request.method!, path, headers, body: Buffer.concat(chunks) };
    const upstream = await fetch(`${this.target}${sent.path}`, {
      method: sent.method,
      headers: sent.headers,
      ...(sent.body.length > 0 ? { body: sent.body } : {}),
    });
    let answer: ProxiedResponse = {
      status: upstream.status,
      headers: Object.fromEntries(
        [...upstream.headers].filter(([name]) => name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'content-length'),
      ),
      body: Buffer.from(await upstream.arrayBuffer()),
    };
    if (this.rewrite.response) answer = this.rewrite.response(answer, sent);
    this.answer(response, answer, path, request.method!);
  }

  private answer(response: http.ServerResponse, answer: ProxiedResponse, path: string, method: string): void {
    this.seen.push({ method, path, status: answer.status });
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  }
}
