/**
 * Tracing as an operator turns it on: a real `finch start` with the standard OTEL_* variables
 * pointing at an OTLP/HTTP receiver inside the test, real Fin API requests (both variants, one
 * refused), a real webhook delivery to a stand-in for Fin. Then: a span per Fin request, named after
 * its operation, with its attributes; the delivery's span and the `traceparent` Fin received; `pg`
 * spans under a Fin operation on PostgreSQL; and the request's log lines carrying its trace id.
 * And off: without the variables (or with OTEL_SDK_DISABLED=true) no SDK module is loaded and
 * nothing is exported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { AgentClient } from '../support/agent-client.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { finClientFromBanner, runFinch, startFinchProcess, startWorkerProcess } from '../support/process.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const PASSWORD = 'correct horse battery staple';

/** The standard variables an operator sets, with a short batch delay so the test need not wait 5 s. */
function otelEnv(receiver: OtlpReceiver): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}

/** A preload that writes, at exit, every CommonJS module the process loaded (the SDK's packages are CommonJS). */
function loadedModulesProbe(dir: string): { nodeOptions: string; read: () => string[] } {
  const out = path.join(dir, 'loaded.json');
  const probe = path.join(dir, 'probe.cjs');
  writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
  return { nodeOptions: `--require ${probe}`, read: () => JSON.parse(readFileSync(out, 'utf8')) as string[] };
}

const sdkModules = (loaded: string[]) =>
  loaded.filter((file) => /node_modules\/(?:@opentelemetry\/(?:sdk-|exporter-|instrumentation)|@fastify\/otel|import-in-the-middle)/.test(file));

/** The JSON log lines of a process's standard output. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(sqlBackends())('tracing of finch start on %s', (backend) => {
  let otlp: OtlpReceiver;
  let fin: FinReceiver;
  let dataDir: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    fin = await new FinReceiver().start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-tracing-'));
    env = {
      FINCH_DATA_DIR: dataDir,
      DATABASE_URL: backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined,
      FINCH_FIN_INTEGRATION_ID: 'int_traced',
      FINCH_FIN_WEBHOOK_KEY: 'traced-key',
      FINCH_FIN_BASE_URL: fin.baseUrl,
      FINCH_LOG_LEVEL: 'info',
    };
    const created = await runFinch(['create-agent', '--name', 'Ops', '--email', 'ops@example.com', '--password', PASSWORD, '--role', 'admin', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(async () => {
    await otlp?.stop();
    await fin?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports a span per Fin request, one per delivery, and puts the trace id in the request log lines', { timeout: 60_000 }, async () => {
    const probe = loadedModulesProbe(dataDir);
    const server = await startFinchProcess({ ...env, ...otelEnv(otlp), NODE_OPTIONS: probe.nodeOptions });
    let stopped: Awaited<ReturnType<typeof server.stop>> | undefined;
    try {
      const client = finClientFromBanner(server.output())!;
      const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
      const rest = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
      const post = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'post', token: accessToken });
      const user = (await rest.call('create_user', { name: 'Traced user' })).payload as { id: string };
      const created = (
        await rest.call('create_conversation', { user_id: user.id, initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' } } })
      ).payload as { conversation: { id: string } };
      const conversationId = created.conversation.id;
      expect((await rest.call('get_conversation', { conversation_id: conversationId })).status).toBe(200);
      expect((await post.call('get_messages', { conversation_id: conversationId })).status).toBe(200);
      const missing = await rest.call('get_conversation', { conversation_id: 'no-such-conversation' });
      expect(missing.status).toBe(404);
      // URLs whose query holds a secret: a signed file link's signature, a token-looking parameter.
      const secret = 'topsecret0123456789';
      await fetch(`${server.baseUrl}/files/f_missing/a.txt?expires=1&signature=${secret}`);
      await fetch(`${server.baseUrl}/api/fin/agents?access_token=${secret}`, { headers: { authorization: `Bearer ${accessToken}` } });

      // An agent's reply is a notification to Fin: one webhook delivery.
      const agent = await AgentClient.signIn(server.baseUrl, 'ops@example.com', PASSWORD);
      expect((await agent.post(`/conversations/${conversationId}/messages`, { body: 'On it', visibility: 'private' })).status).toBe(201);
      await fin.waitFor(1, 15_000);

      const finSpans = await otlp.waitFor((span) => span.name.startsWith('fin.') && span.name !== 'fin.webhook', 6);
      const byName = (name: string) => finSpans.filter((span) => span.name === name);
      expect(finSpans.map((span) => span.name).sort()).toEqual([
        'fin.create_conversation',
        'fin.create_user',
        'fin.get_agents',
        'fin.get_conversation',
        'fin.get_conversation',
        'fin.get_messages',
      ]);
      for (const span of finSpans) {
        expect(span.scope).toBe('finch');
        expect(span.resource['service.name']).toBe('finch');
      }
      expect(byName('fin.create_user')[0]!.attributes).toMatchObject({
        'fin.operation': 'create_user',
        'fin.variant': 'rest',
        'fin.operation_id': 'rest_create_user',
        'http.response.status_code': 201,
        'fin.outcome': 'ok',
      });
      expect(byName('fin.create_user')[0]!.attributes['fin.conversation_id']).toBeUndefined();
      expect(byName('fin.create_conversation')[0]!.attributes).toMatchObject({
        'fin.conversation_id': conversationId,
        'http.response.status_code': 201,
        'fin.outcome': 'ok',
      });
      expect(byName('fin.get_messages')[0]!.attributes).toMatchObject({
        'fin.variant': 'post',
        'fin.operation_id': 'post_get_messages',
        'fin.conversation_id': conversationId,
        'http.response.status_code': 200,
        'fin.outcome': 'ok',
      });
      const gets = byName('fin.get_conversation');
      const found = gets.find((span) => span.attributes['fin.conversation_id'] === conversationId)!;
      const refused = gets.find((span) => span.attributes['fin.conversation_id'] === 'no-such-conversation')!;
      expect(found.attributes).toMatchObject({ 'http.response.status_code': 200, 'fin.outcome': 'ok' });
      expect(refused.attributes).toMatchObject({ 'http.response.status_code': 404, 'fin.outcome': 'refused' });
      // A 4xx is the caller's: not an error of the server's span (OpenTelemetry's HTTP conventions).
      expect(refused.status.code ?? 0).not.toBe(2);

      // Spans carry URLs as the logs do: a signed link without its query, a secret-looking value censored.
      const fileSpans = await otlp.waitFor((span) => String(span.attributes['url.path'] ?? '').startsWith('/files/f_missing'), 2);
      expect(fileSpans.map((span) => span.attributes['url.path'] + (span.attributes['url.query'] ? `?${span.attributes['url.query']}` : '')).sort()).toEqual([
        // Fastify's (url.path, the path alone, as the conventions have it) and the HTTP server span (url.path, url.query).
        '/files/f_missing/a.txt',
        '/files/f_missing/a.txt?[redacted]',
      ]);
      await otlp.waitFor((span) => String(span.attributes['url.path'] ?? '').startsWith('/api/fin/agents'), 2);
      expect(otlp.spans.filter((span) => JSON.stringify(span).includes(secret))).toEqual([]);
      expect(otlp.spans.some((span) => span.attributes['url.query'] === 'access_token=[redacted]')).toBe(true);

      // An end user's id (here an email) in a query stays out of every span; Finch's own ids stay in.
      const email = 'pat.traced@example.com';
      expect((await rest.call('get_user', { user_id: email })).status).toBe(404);
      await otlp.waitFor((span) => span.name === 'fin.get_user');
      await otlp.waitFor((span) => span.attributes['url.query'] === 'user_id=[redacted]');
      expect(otlp.spans.filter((span) => /pat\.traced(?:@|%40)example\.com/.test(JSON.stringify(span)))).toEqual([]);
      expect(otlp.spans.some((span) => span.attributes['url.query'] === `conversation_id=${conversationId}`)).toBe(true);
      // url.path is a path, without the query (Fastify's span recorded the whole request target).
      expect(otlp.spans.filter((span) => String(span.attributes['url.path'] ?? '').includes('?'))).toEqual([]);
      // No source text in any attribute or name (an anonymous plugin's name is its source).
      // (A statement, db.query.text, is SQL on several lines: that one is meant.)
      const values = otlp.spans.flatMap((span) => [
        span.name,
        ...Object.entries(span.attributes)
          .filter(([key]) => key !== 'db.query.text')
          .map(([, value]) => String(value)),
      ]);
      expect(values.filter((value) => /=>|\bfunction\b|\n/.test(value))).toEqual([]);

      // Each Fin span sits inside its request's trace, under the HTTP server span.
      const serverSpans = otlp.spans.filter((span) => span.scope === '@opentelemetry/instrumentation-http' && span.kind === 2);
      expect(serverSpans.find((span) => span.traceId === found.traceId)).toBeDefined();
      // And Fastify's own spans too (@fastify/otel).
      expect(otlp.spans.some((span) => span.scope === '@fastify/otel' && span.traceId === found.traceId)).toBe(true);

      if (backend === 'postgres') {
        // The operation's queries nest under it (at any depth: a transaction's spans nest too).
        const inFound = otlp.spans.filter((span) => span.traceId === found.traceId && span.scope === '@opentelemetry/instrumentation-pg');
        expect(inFound.length).toBeGreaterThan(0);
        const ids = new Map(otlp.spans.map((span) => [span.spanId, span]));
        const ancestors = (span: ReceivedSpan): string[] => {
          const parent = span.parentSpanId ? ids.get(span.parentSpanId) : undefined;
          return parent ? [parent.spanId, ...ancestors(parent)] : [];
        };
        const statement = (span: ReceivedSpan) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '');
        const queries = inFound.filter((span) => statement(span) !== '');
        // The use case's query nests under the operation's span; the bearer token's check runs in an
        // onRequest hook, before the operation's work, so it sits beside it in the same trace.
        const underOperation = queries.filter((span) => ancestors(span).includes(found.spanId));
        expect(underOperation.map(statement).some((text) => /from "conversations"/.test(text))).toBe(true);
        expect(queries.filter((span) => !underOperation.includes(span)).map(statement)).toEqual([expect.stringContaining('from "access_tokens"')]);
        // Named after the SQL command, not a prepared statement's hash; no span per pool checkout.
        const pgSpans = otlp.spans.filter((span) => span.scope === '@opentelemetry/instrumentation-pg');
        expect(pgSpans.filter((span) => !/^pg\.query:[A-Z]+ \S+$/.test(span.name)).map((span) => span.name)).toEqual([]);
        expect(pgSpans.map((span) => span.name)).toContain(`pg.query:SELECT ${new URL(env.DATABASE_URL!).pathname.slice(1)}`);
      }

      // The delivery: its span, and the trace context Fin received with it.
      const [delivery] = await otlp.waitFor((span) => span.name === 'fin.webhook');
      expect(delivery!.kind).toBe(3); // client
      expect(delivery!.attributes).toMatchObject({
        'fin.event_kind': 'sync',
        'fin.attempt': 1,
        'fin.conversation_id': conversationId,
        'http.response.status_code': 202,
        'fin.outcome': 'delivered',
      });
      const traceparent = String(fin.received[0]!.headers.traceparent);
      expect(traceparent).toMatch(new RegExp(`^00-${delivery!.traceId}-[0-9a-f]{16}-01$`));
      expect(fin.received[0]!.headers['x-webhook-key']).toBe('traced-key');

      // The request's log lines ("incoming request", "request completed") carry its trace id.
      const lines = logLines(server.output());
      const requestLines = lines.filter(
        (line) => (line.req as { url?: string } | undefined)?.url === `/api/fin/conversation?conversation_id=${conversationId}`,
      );
      expect(requestLines.length).toBeGreaterThan(0);
      const reqId = requestLines[0]!.reqId;
      const ofRequest = lines.filter((line) => line.reqId === reqId);
      expect(ofRequest.length).toBeGreaterThanOrEqual(2);
      for (const line of ofRequest) {
        expect(line.trace_id).toBe(found.traceId);
        expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      }
      // Secrets stay out of the lines all the same.
      expect(server.output()).not.toContain(accessToken);
      expect(server.output()).not.toContain('traced-key');
    } finally {
      const started = Date.now();
      stopped = await server.stop();
      // A collector that answers: the last spans go out as soon as Finch has stopped ('beforeExit').
      const elapsed = Date.now() - started;
      console.log(`stopped in ${elapsed} ms with a collector that answers`);
      expect(elapsed).toBeLessThan(5_000);
    }
    expect(stopped.code).toBe(0);
    expect(sdkModules(probe.read()).length).toBeGreaterThan(0);
    // Only traces: metrics and logs stay Finch's own unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER say otherwise.
    expect(otlp.requests.filter((request) => !request.startsWith('POST /v1/traces'))).toEqual([]);
  });
});

describe('tracing switched off', () => {
  let otlp: OtlpReceiver;
  let dataDir: string;

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-untraced-'));
  });
  afterAll(async () => {
    await otlp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['without an OTLP endpoint', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }],
    ['with OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
  ])('%s, loads no SDK module, exports nothing and logs no trace ids', { timeout: 60_000 }, async (_case, extra) => {
    const dir = mkdtempSync(path.join(dataDir, 'case-'));
    const probe = loadedModulesProbe(dir);
    const endpoint = 'OTEL_SDK_DISABLED' in extra ? { ...otelEnv(otlp) } : {};
    const server = await startFinchProcess({
      FINCH_DATA_DIR: dir,
      FINCH_LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      ...endpoint,
      ...extra,
      NODE_OPTIONS: probe.nodeOptions,
    });
    let output = '';
    try {
      const client = finClientFromBanner(server.output())!;
      const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
      const rest = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
      expect((await rest.call('create_user', { name: 'Untraced' })).status).toBe(201);
      // Longer than the batch delay the traced run uses: a span would have been sent by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      output = (await server.stop()).stdout;
    }
    expect(sdkModules(probe.read())).toEqual([]);
    expect(otlp.requests).toEqual([]);
    const lines = logLines(output).filter((line) => line.reqId !== undefined);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => 'trace_id' in line || 'span_id' in line)).toEqual([]);
  });
});

describe('a collector that stops answering', () => {
  let otlp: OtlpReceiver;
  let dataDir: string;

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    otlp.hang = true;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-hung-collector-'));
  });
  afterAll(async () => {
    await otlp?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("delays stopping by a bounded time, not by the exporter's timeouts", { timeout: 60_000 }, async () => {
    // The exporter would wait 30 s for an answer; stopping must not.
    const server = await startFinchProcess({
      FINCH_DATA_DIR: dataDir,
      ...otelEnv(otlp),
      OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      // The service named the standard way, over Finch's default.
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=helpdesk-eu,deployment.environment.name=test',
    });
    const client = finClientFromBanner(server.output())!;
    const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
    const rest = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
    expect((await rest.call('create_user', { name: 'Traced, never received' })).status).toBe(201);
    const [created] = await otlp.waitFor((span) => span.name === 'fin.create_user');
    expect(created!.resource).toMatchObject({ 'service.name': 'helpdesk-eu', 'deployment.environment.name': 'test' });
    // Another span, still buffered or in an export that hangs, when the signal comes.
    expect((await rest.call('get_agents', {})).status).toBe(200);
    const started = Date.now();
    const stopped = await server.stop();
    const elapsed = Date.now() - started;
    console.log(`stopped in ${elapsed} ms with a collector that never answers`);
    expect(stopped.code).toBe(0);
    // Without the bound: the batch processor's 30 s export timeout. With it: stopping, then at most 2 s of
    // flushing, then the process ends (stopTracing() at the end of `finch start`'s stop).
    expect(elapsed).toBeLessThan(6_000);
  });
});

describe('tracing of finch worker', () => {
  let otlp: OtlpReceiver;
  let fin: FinReceiver;
  let dataDir: string;

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    fin = await new FinReceiver().start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-traced-worker-'));
  });
  afterAll(async () => {
    await otlp?.stop();
    await fin?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports the deliveries the worker makes, and their spans go out when it stops', { timeout: 60_000 }, async () => {
    const env = {
      FINCH_DATA_DIR: dataDir,
      FINCH_FIN_INTEGRATION_ID: 'int_worker',
      FINCH_FIN_WEBHOOK_KEY: 'worker-key',
      FINCH_FIN_BASE_URL: fin.baseUrl,
      FINCH_LOG_LEVEL: 'warn',
    };
    const created = await runFinch(['create-agent', '--name', 'Ops', '--email', 'ops@example.com', '--password', PASSWORD, '--role', 'admin', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    // The server untraced and not delivering; the worker traced, with a batch delay longer than the test:
    // its spans can only arrive through the flush when it stops.
    const server = await startFinchProcess({ ...env, FINCH_DISPATCHER: 'off' });
    const worker = await startWorkerProcess({ ...env, ...otelEnv(otlp), OTEL_BSP_SCHEDULE_DELAY: '60000' });
    try {
      const client = finClientFromBanner(server.output())!;
      const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
      const rest = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
      const user = (await rest.call('create_user', { name: 'Worker user' })).payload as { id: string };
      const conversation = (
        await rest.call('create_conversation', { user_id: user.id, initial_message: { body: 'Hi', author: { id: user.id, user_type: 'end_user' } } })
      ).payload as { conversation: { id: string } };
      const agent = await AgentClient.signIn(server.baseUrl, 'ops@example.com', PASSWORD);
      expect((await agent.post(`/conversations/${conversation.conversation.id}/messages`, { body: 'On it', visibility: 'private' })).status).toBe(201);
      await fin.waitFor(1, 15_000);
      expect(otlp.spans).toEqual([]);
    } finally {
      const started = Date.now();
      expect((await worker.stop()).code).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      await server.stop();
    }
    const [delivery] = await otlp.waitFor((span) => span.name === 'fin.webhook', 1, 1_000);
    expect(delivery!.attributes).toMatchObject({ 'fin.event_kind': 'sync', 'fin.outcome': 'delivered', 'http.response.status_code': 202 });
    expect(delivery!.resource['service.name']).toBe('finch');
    expect(String(fin.received[0]!.headers.traceparent)).toContain(delivery!.traceId);
  });
});
