/**
 * An OTLP/HTTP trace receiver on loopback, as a collector would be: accepts `POST /v1/traces` in
 * OTLP's JSON encoding (the process under test sets OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json;
 * the JSON mapping is part of the OTLP specification, and reading it needs no protobuf decoder),
 * and keeps every span with its resource's attributes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
  status: { code?: number; message?: string };
  /** The span's events (an exception's, say), by name with their attributes. */
  events: { name: string; attributes: Record<string, AttributeValue> }[];
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every request that reached the receiver, of any path (`POST /v1/traces`, and anything unexpected). */
  readonly requests: string[] = [];
  /** When set, trace exports are read and never answered: a collector that has stopped responding. */
  hang = false;
  /** When set, trace exports are answered with this status and their spans dropped: a collector that refuses them. */
  refuseWith: number | undefined;
  private readonly server = http.createServer((request, response) => this.handle(request, response));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the spans `predicate` picks once there are at least `count`, or fails after `timeoutMs`. */
  async waitFor(predicate: (span: ReceivedSpan) => boolean, count = 1, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.spans.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`received ${found.length} of ${count} spans; all: ${this.spans.map((span) => span.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push(`${request.method} ${request.url} ${request.headers['content-type'] ?? ''}`);
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).startsWith('application/json')) {
        response.writeHead(404).end();
        return;
      }
      if (this.refuseWith !== undefined) {
        response.writeHead(this.refuseWith).end();
        return;
      }
      this.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (this.hang) return;
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }

  private collect(body: {
    resourceSpans?: {
      resource?: { attributes?: OtlpAttribute[] };
      scopeSpans?: { scope?: { name?: string }; spans?: Record<string, unknown>[] }[];
    }[];
  }): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const resource = attributes(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: span.traceId as string,
            spanId: span.spanId as string,
            parentSpanId: (span.parentSpanId as string | undefined) || undefined,
            name: span.name as string,
            kind: span.kind as number,
            scope: scopeSpans.scope?.name ?? '',
            attributes: attributes(span.attributes as OtlpAttribute[] | undefined),
            resource,
            status: (span.status as ReceivedSpan['status']) ?? {},
            events: ((span.events as { name: string; attributes?: OtlpAttribute[] }[] | undefined) ?? []).map((event) => ({
              name: event.name,
              attributes: attributes(event.attributes),
            })),
          });
        }
      }
    }
  }
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
    if (v !== undefined) result[key] = v;
  }
  return result;
}
