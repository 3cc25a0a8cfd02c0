/**
 * Finch's own spans in process, with the SDK's in-memory exporter: each outcome of a webhook
 * delivery (its attributes and the `traceparent` Fin receives), the Fin operation span's outcomes
 * (a request refused at the door, the POST-only variant, a path that is no operation), and log lines
 * inside and outside a span (their ids, and the secret scrubbing that still applies).
 */
import { Writable } from 'node:stream';
import { node } from '@opentelemetry/sdk-node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finchLoggerOptions } from '../../src/http/logging.js';
import { systemClock } from '../../src/outbox/clock.js';
import { postWebhook } from '../../src/outbox/webhook-sender.js';
import { inSpan } from '../../src/telemetry/spans.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { startTestFinch, type TestFinch } from '../support/finch.js';

const exporter = new node.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new node.SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  // The global provider, context manager (AsyncLocalStorage) and W3C propagator, as the SDK sets them.
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
});
afterEach(() => exporter.reset());

const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

describe('the delivery span', () => {
  let fin: FinReceiver;
  const event = { id: 'evt_1', kind: 'sync', attempts: 2, conversationId: 'conv_1', payload: { conversation_id: 'conv_1' } };
  const options = { timeoutMs: 300, clock: systemClock };

  beforeAll(async () => {
    fin = await new FinReceiver().start();
  });
  afterAll(async () => {
    await fin?.stop();
  });

  it('records a delivery, and sends Fin the span’s trace context', async () => {
    fin.script.push({ status: 202 });
    const result = await postWebhook({ url: `${fin.baseUrl}/hook`, webhookKey: 'k' }, event, options);
    expect(result.statusCode).toBe(202);
    const [span] = spans('fin.webhook');
    expect(span!.kind).toBe(2); // client
    expect(span!.attributes).toEqual({
      'fin.event_id': 'evt_1',
      'fin.event_kind': 'sync',
      'fin.attempt': 2,
      'fin.conversation_id': 'conv_1',
      'http.response.status_code': 202,
      'fin.outcome': 'delivered',
    });
    expect(span!.status.code).toBe(0); // unset
    const { traceId } = span!.spanContext();
    // The HTTP client span is not there in process (no instrumentation): the header names the delivery span.
    expect(fin.received.at(-1)!.headers.traceparent).toBe(`00-${traceId}-${span!.spanContext().spanId}-01`);
  });

  it.each([
    ['failed', () => fin.script.push({ status: 500, body: 'down' }), 500],
    ['timeout', () => fin.script.push('hang'), undefined],
  ])('records %s as an error', async (outcome, scriptIt, status) => {
    scriptIt();
    await postWebhook({ url: `${fin.baseUrl}/hook`, webhookKey: 'k' }, event, options);
    const [span] = spans('fin.webhook');
    expect(span!.attributes['fin.outcome']).toBe(outcome);
    expect(span!.attributes['http.response.status_code']).toBe(status);
    expect(span!.attributes['error.type']).toBe(status === undefined ? outcome : String(status));
    expect(span!.status.code).toBe(2);
  });

  it('takes its outcome from the judge, in the metrics’ words, with the failure in error.type', async () => {
    fin.script.push({ status: 503, body: 'busy' });
    const judged: (number | null)[] = [];
    const judge = async (result: { statusCode: number | null }) => {
      judged.push(result.statusCode);
      return 'retry';
    };
    await postWebhook({ url: `${fin.baseUrl}/hook`, webhookKey: 'k' }, event, { ...options, judge });
    fin.script.push({ status: 202 });
    await postWebhook({ url: `${fin.baseUrl}/hook`, webhookKey: 'k' }, event, { ...options, judge: async () => 'delivered' });
    expect(judged).toEqual([503]);
    const [retried, delivered] = spans('fin.webhook');
    expect(retried!.attributes).toMatchObject({ 'fin.outcome': 'retry', 'error.type': '503', 'http.response.status_code': 503 });
    expect(retried!.status.code).toBe(2);
    expect(delivered!.attributes['fin.outcome']).toBe('delivered');
    expect(delivered!.attributes['error.type']).toBeUndefined();
    expect(delivered!.status.code).toBe(0);
  });

  it('records a network error and a refused address, and sends nothing to a refused one', async () => {
    const closed = new FinReceiver();
    await closed.start();
    const url = `${closed.baseUrl}/hook`;
    await closed.stop();
    await postWebhook({ url, webhookKey: 'k' }, event, options);
    await postWebhook({ url: 'http://10.1.2.3/hook', webhookKey: 'k' }, event, options);
    expect(spans('fin.webhook').map((span) => span.attributes['fin.outcome'])).toEqual(['network_error', 'refused']);
  });

  it('leaves attributes out that the caller does not give', async () => {
    await postWebhook({ url: `${fin.baseUrl}/hook`, webhookKey: 'k' }, { id: 'evt_2', payload: {} }, options);
    expect(Object.keys(spans('fin.webhook')[0]!.attributes).sort()).toEqual(['fin.event_id', 'fin.outcome', 'http.response.status_code']);
  });
});

describe('the Fin operation span', () => {
  let finch: TestFinch;

  beforeAll(async () => {
    finch = await startTestFinch('sqlite');
  });
  afterAll(async () => {
    await finch?.close();
  });

  it('is made for a request refused at the door, in either variant', async () => {
    expect((await finch.client('rest', { token: 'wrong' }).call('get_agents')).status).toBe(401);
    expect((await finch.client('post', { token: 'wrong' }).call('get_conversation', { conversation_id: 'c_1' })).status).toBe(401);
    const refused = [...spans('fin.get_agents'), ...spans('fin.get_conversation')];
    expect(refused.map((span) => span.attributes)).toEqual([
      {
        'fin.operation': 'get_agents',
        'fin.variant': 'rest',
        'fin.operation_id': 'rest_get_agents',
        'http.response.status_code': 401,
        'fin.outcome': 'refused',
      },
      // Refused before the use case ran: the conversation it names is not read from the input.
      {
        'fin.operation': 'get_conversation',
        'fin.variant': 'post',
        'fin.operation_id': 'post_get_conversation',
        'http.response.status_code': 401,
        'fin.outcome': 'refused',
      },
    ]);
  });

  it('is made for invalid input too, and not for a path or method that is no operation', async () => {
    expect((await finch.client('rest').call('get_conversation', {})).status).toBe(400);
    expect(spans('fin.get_conversation')[0]!.attributes).toMatchObject({ 'http.response.status_code': 400, 'fin.outcome': 'refused' });
    exporter.reset();
    expect((await fetch(`${finch.apiUrl}/nowhere`, { headers: { authorization: `Bearer ${finch.token}` } })).status).toBe(404);
    expect((await fetch(`${finch.apiUrl}/agents`, { method: 'DELETE', headers: { authorization: `Bearer ${finch.token}` } })).status).toBe(405);
    expect(exporter.getFinishedSpans().filter((span) => span.name.startsWith('fin.'))).toEqual([]);
  });

  it('ends with the answer: a created user has no conversation', async () => {
    expect((await finch.client('rest').call('create_user', { name: 'Ann' })).status).toBe(201);
    const [operation] = spans('fin.create_user');
    expect(operation!.attributes).toMatchObject({ 'http.response.status_code': 201, 'fin.outcome': 'ok' });
    expect(operation!.attributes['fin.conversation_id']).toBeUndefined();
  });
});

describe('the Fin operation span of a failure', () => {
  it('marks a 5xx as an error with the class of what was thrown, not its message', async () => {
    const finch = await startTestFinch('sqlite');
    try {
      // The database gone under a running server: the token check throws.
      await finch.database!.close();
      const answer = await finch.client('rest').call('create_user', { name: 'Ann' });
      expect(answer.status).toBeGreaterThanOrEqual(500);
      const [span] = spans('fin.create_user');
      expect(span!.attributes).toMatchObject({ 'http.response.status_code': answer.status, 'fin.outcome': 'failed' });
      // better-sqlite3's Error ("The database connection is not open"): its class, never its words.
      expect(span!.attributes['error.type']).toMatch(/^(?:[A-Z]\w*)?Error$/);
      expect(JSON.stringify(span!.attributes)).not.toContain('not open');
      expect(span!.status).toEqual({ code: 2, message: `answered ${answer.status}` });
      expect(span!.events).toEqual([]);
    } finally {
      await finch.close().catch(() => {});
    }
  });
});

describe('log lines', () => {
  function logger() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    return { log: pino(finchLoggerOptions('info'), stream), lines };
  }

  it('carry the active span’s ids inside a span, none outside, and stay scrubbed', async () => {
    const { log, lines } = logger();
    log.info('before');
    let ids: { traceId: string; spanId: string } | undefined;
    await inSpan('work', {}, async (span) => {
      ids = span.spanContext();
      log.info({ url: 'postgres://finch:hunter2@db/finch' }, 'inside');
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.child({ reqId: 'r1' }).warn('inside, later, from a child logger');
    });
    log.info('after');
    expect(lines.map((line) => [line.msg, line.trace_id, line.span_id])).toEqual([
      ['before', undefined, undefined],
      ['inside', ids!.traceId, ids!.spanId],
      ['inside, later, from a child logger', ids!.traceId, ids!.spanId],
      ['after', undefined, undefined],
    ]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });
});
