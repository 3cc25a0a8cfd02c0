/**
 * GET /metrics as Prometheus reads it (parsed by parse-prometheus-text-format): every metric of
 * docs/metrics.md present, the HTTP counters moving by route template as requests happen, the
 * delivery counters as a dispatcher posts to a real Fin receiver, the database gauges and the
 * event streams; refused without the token (401) and, without one, to callers off loopback; and
 * the probes, /health/live and /health/ready (503 while a migration is missing or the server
 * shuts down). On SQLite and PostgreSQL.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { markShuttingDown } from '../../src/http/graceful-close.js';
import { systemClock } from '../../src/outbox/clock.js';
import { judgeMetricsAccess, isLoopback } from '../../src/metrics/metrics-access.js';
import { apiOf, UNMATCHED_ROUTE } from '../../src/metrics/http-metrics.js';
import { FinchMetrics } from '../../src/metrics/finch-metrics.js';
import { buildOperationsServer } from '../../src/metrics/operations-server.js';
import type { MetricsStore } from '../../src/store/metrics-port.js';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { MIGRATION_NAMES, migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { AgentClient } from '../support/agent-client.js';
import { EventStreamClient } from '../support/event-stream.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { FINCH_METRICS, countOf, parseMetrics, sampleOf, startObservedFinch, type ObservedFinch } from './support.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

describe('who may scrape /metrics (the decision)', () => {
  it('without a token: loopback peers only (127.0.0.0/8, ::1, IPv4-mapped loopback)', () => {
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address), address).toBe(true);
      expect(judgeMetricsAccess(undefined, undefined, address), address).toEqual({ allowed: true });
    }
    for (const address of ['192.0.2.2', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', '::', '0.0.0.0', undefined, 'localhost']) {
      expect(isLoopback(address), String(address)).toBe(false);
      expect(judgeMetricsAccess(undefined, undefined, address), String(address)).toMatchObject({ allowed: false, status: 403 });
    }
  });

  it('with a token: the exact bearer token from anywhere, loopback included; nothing else', () => {
    expect(judgeMetricsAccess(TOKEN, `Bearer ${TOKEN}`, '192.0.2.9')).toEqual({ allowed: true });
    expect(judgeMetricsAccess(TOKEN, `bearer ${TOKEN}`, '::1')).toEqual({ allowed: true });
    expect(judgeMetricsAccess(TOKEN, undefined, '127.0.0.1')).toMatchObject({ allowed: false, status: 401, code: 'metrics_token_required' });
    expect(judgeMetricsAccess(TOKEN, `Basic ${TOKEN}`, '127.0.0.1')).toMatchObject({ status: 401, code: 'metrics_token_required' });
    for (const wrong of [TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), 'x']) {
      expect(judgeMetricsAccess(TOKEN, `Bearer ${wrong}`, '127.0.0.1'), wrong).toMatchObject({ status: 401, code: 'metrics_token_invalid' });
    }
  });

  it('labels each path with its API', () => {
    expect(['/api/fin/conversations/:id', '/api/v1/events', '/oauth/token', '/', '/metrics', '/api/finance', '/api/v10'].map(apiOf)).toEqual([
      'fin',
      'v1',
      'oauth',
      'web',
      'web',
      'web',
      'web',
    ]);
  });

  it('answers a scrape within the read timeout when the database hangs, leaving its gauges out', async () => {
    const hanging: MetricsStore = {
      readings: () => new Promise(() => {}),
      missingMigrations: async () => [],
      pool: () => ({ inUse: 1, idle: 0, waiting: 3, max: 1 }),
    };
    const metrics = new FinchMetrics({ store: hanging, readTimeoutMs: 200 });
    const started = Date.now();
    const scrape = parseMetrics(await metrics.exposition());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sampleOf(scrape, 'finch_metrics_database_up')).toBe(0);
    for (const name of ['finch_outbox_pending', 'finch_outbox_oldest_pending_seconds', 'finch_conversations_waiting', 'finch_handover_wait_seconds']) {
      expect(sampleOf(scrape, name), name).toBeUndefined();
    }
    // What needs no statement is still there.
    expect(sampleOf(scrape, 'finch_db_pool_waiting')).toBe(3);
  });

  it("calls a database that hangs not ready after 2 s (a worker's server, over real HTTP)", async () => {
    const app = await buildOperationsServer({ metrics: new FinchMetrics(), metricsToken: undefined, readiness: { ping: () => new Promise(() => {}) } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as { port: number };
      const started = Date.now();
      const answer = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const tookMs = Date.now() - started;
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(((await answer.json()) as { code: string }).code).toBe('database_unavailable');
      expect(tookMs).toBeGreaterThanOrEqual(1900);
      expect(tookMs).toBeLessThan(3500);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('knows every migration the runner applies, in order', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    try {
      await migrateToLatest(db, 'sqlite');
      const { rows } = await sql<{ name: string }>`select name from finch_migrations order by name`.execute(db);
      expect(MIGRATION_NAMES).toEqual(rows.map((row) => row.name));
      expect(MIGRATION_NAMES[0]).toBe('0001_initial');
    } finally {
      await db.destroy();
    }
  });
});

describe.each(sqlBackends())('/metrics and the probes on %s', (backend) => {
  let finch: ObservedFinch;
  let receiver: FinReceiver;
  let admin: AgentClient;

  beforeAll(async () => {
    receiver = await new FinReceiver().start();
    finch = await startObservedFinch(backend);
    await makeAgent(finch.data, 'Ada', 'admin');
    admin = await AgentClient.signIn(finch.baseUrl, 'ada@example.com', PASSWORD);
  });
  afterAll(async () => {
    await finch?.close();
    await receiver?.stop();
  });

  it('answers in the Prometheus text format with every documented metric and the process metrics', async () => {
    const response = await fetch(`${finch.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseMetrics(await response.text());
    for (const [name, type] of Object.entries(FINCH_METRICS)) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    expect(sampleOf(families, 'finch_metrics_database_up')).toBe(1);
    expect(sampleOf(families, 'finch_db_pool_max')).toBe(backend === 'postgres' ? 20 : 1);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(families.has(name), name).toBe(true);
    }
  });

  it('counts and times requests by API, route template, method and status: never an id in a label', async () => {
    const before = await finch.scrape();
    const ids = ['conv_does_not_exist_1', 'conv_does_not_exist_2'];
    for (const id of ids) expect((await admin.get(`/conversations/${id}`)).status).toBe(404);
    expect((await fetch(`${finch.baseUrl}/no/such/page/123`)).status).toBe(404);
    const finHeaders = { authorization: `Bearer ${finch.data.token}` };
    expect((await fetch(`${finch.baseUrl}/api/fin/conversations/conv_x_3`, { headers: finHeaders })).status).toBe(404);
    const finUser = await fetch(`${finch.baseUrl}/api/fin/user?id=user_x_4`, { headers: finHeaders });
    const token = await fetch(`${finch.baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(token.status).toBe(401);
    const after = await finch.scrape();

    const moved = (labels: Record<string, string>) =>
      (sampleOf(after, 'finch_http_requests_total', labels) ?? 0) - (sampleOf(before, 'finch_http_requests_total', labels) ?? 0);
    expect(moved({ api: 'v1', route: '/api/v1/conversations/:id', method: 'GET', status: '404' })).toBe(2);
    expect(moved({ api: 'web', route: UNMATCHED_ROUTE, method: 'GET', status: '404' })).toBe(1);
    // Fin's API names no ids in its paths; a path it does not serve is one label value, still under `fin`.
    expect(moved({ api: 'fin', route: UNMATCHED_ROUTE, method: 'GET', status: '404' })).toBe(1);
    expect(moved({ api: 'fin', route: '/api/fin/user', method: 'GET', status: String(finUser.status) })).toBe(1);
    expect(moved({ api: 'oauth', route: '/oauth/token', method: 'POST', status: '401' })).toBe(1);
    // The scrape before this one was counted too.
    expect(moved({ api: 'web', route: '/metrics', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
    const timed = (labels: Record<string, string>) =>
      countOf(after, 'finch_http_request_duration_seconds', labels) - countOf(before, 'finch_http_request_duration_seconds', labels);
    expect(timed({ api: 'v1', route: '/api/v1/conversations/:id', method: 'GET' })).toBe(2);

    const labelValues = [...after.get('finch_http_requests_total')!.metrics, ...after.get('finch_http_request_duration_seconds')!.metrics].flatMap((sample) =>
      Object.values(sample.labels ?? {}),
    );
    for (const forbidden of [...ids, 'conv_x_3', 'user_x_4', '/no/such/page/123']) expect(labelValues.join(' ')).not.toContain(forbidden);
    expect(new Set(after.get('finch_http_requests_total')!.metrics.map((sample) => sample.labels!.api))).toEqual(new Set(['v1', 'web', 'fin', 'oauth']));
  });

  it('reads the outbox and the Waiting queue from the database at scrape time', async () => {
    const conversation = await finConversation(finch.data);
    const db = finch.data.database!.db;
    const waitingSince = new Date(Date.now() - 600_000).toISOString();
    await db.updateTable('conversations').set({ assignee_id: null, assigned_at: waitingSince }).where('id', '=', conversation.id).execute();
    expect((await admin.post(`/conversations/${conversation.id}/messages`, { body: 'note', visibility: 'private' })).status).toBe(201);
    await db
      .updateTable('outbox_events')
      .set({ created_at: new Date(Date.now() - 300_000).toISOString() })
      .where('conversation_id', '=', conversation.id)
      .where('status', '=', 'pending')
      .execute();
    const families = await finch.scrape();
    expect(sampleOf(families, 'finch_conversations_waiting')).toBeGreaterThanOrEqual(1);
    expect(sampleOf(families, 'finch_handover_wait_seconds')).toBeGreaterThanOrEqual(600);
    expect(sampleOf(families, 'finch_handover_wait_seconds')).toBeLessThan(700);
    expect(sampleOf(families, 'finch_outbox_pending')).toBeGreaterThanOrEqual(1);
    expect(sampleOf(families, 'finch_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(300);
    expect(sampleOf(families, 'finch_db_pool_connections_in_use')).toBeGreaterThanOrEqual(0);
    expect(sampleOf(families, 'finch_db_pool_waiting')).toBe(0);
  });

  it('counts each delivery attempt to a real Fin receiver by kind and outcome, and times it', async () => {
    const dispatcher = createDispatcher(
      finch.data.finch!,
      { fin: { integrationId: 'int_metrics', webhookKey: 'whk_metrics', baseUrl: receiver.baseUrl } },
      { logger: { info: () => {}, warn: () => {}, error: () => {} }, clock: systemClock, random: () => 0.5, onAttempt: finch.metrics.observer },
    );
    const before = await finch.scrape();
    const delivered = await dispatcher.runOnce();
    expect(delivered).toBeGreaterThanOrEqual(1);
    expect(receiver.received.length).toBe(delivered);
    // Fin fails: the next attempt is a retry.
    receiver.fallback = { status: 500, body: 'down' };
    const conversation = await finConversation(finch.data);
    expect((await admin.post(`/conversations/${conversation.id}/messages`, { body: 'again', visibility: 'private' })).status).toBe(201);
    const failed = await dispatcher.runOnce();
    expect(failed).toBeGreaterThanOrEqual(1);
    const after = await finch.scrape();
    const moved = (outcome: string) =>
      (sampleOf(after, 'finch_webhook_deliveries_total', { kind: 'sync', outcome }) ?? 0) -
      (sampleOf(before, 'finch_webhook_deliveries_total', { kind: 'sync', outcome }) ?? 0);
    expect(moved('delivered')).toBe(delivered);
    expect(moved('retry')).toBe(failed);
    expect(
      countOf(after, 'finch_webhook_delivery_duration_seconds', { kind: 'sync' }) -
        countOf(before, 'finch_webhook_delivery_duration_seconds', { kind: 'sync' }),
    ).toBe(delivered + failed);
    receiver.fallback = { status: 202, body: '{}' };
  });

  it('counts the open event streams of this server', async () => {
    expect(sampleOf(await finch.scrape(), 'finch_sse_clients')).toBe(0);
    const stream = await EventStreamClient.connect(`${finch.baseUrl}/api/v1/events`, admin.authHeaders());
    await stream.next((event) => event.event === 'ready', { timeoutMs: 5000 });
    expect(sampleOf(await finch.scrape(), 'finch_sse_clients')).toBe(1);
    // A refused stream (no credential) never counts.
    const refused = await fetch(`${finch.baseUrl}/api/v1/events`);
    expect(refused.status).toBe(401);
    expect(sampleOf(await finch.scrape(), 'finch_sse_clients')).toBe(1);
    stream.close();
    await until(async () => sampleOf(await finch.scrape(), 'finch_sse_clients') === 0, 5000, 'the stream to be counted closed');
  });

  it('is live and ready; not ready while a migration is missing, with a problem and Retry-After', async () => {
    expect(await (await fetch(`${finch.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${finch.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', migrations: 'current' });
    // /health is as it was.
    expect(await (await fetch(`${finch.baseUrl}/health`)).json()).toEqual({ status: 'ok', database: 'ok' });

    const db = finch.data.database!.db;
    const last = MIGRATION_NAMES.at(-1)!;
    const row = await db
      .selectFrom('finch_migrations' as never)
      .selectAll()
      .where('name' as never, '=', last as never)
      .executeTakeFirstOrThrow();
    await db
      .deleteFrom('finch_migrations' as never)
      .where('name' as never, '=', last as never)
      .execute();
    try {
      const missing = await fetch(`${finch.baseUrl}/health/ready`);
      expect(missing.status).toBe(503);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(missing.headers.get('retry-after')).toBe('30');
      const problem = (await missing.json()) as { code: string; detail: string };
      expect(problem.code).toBe('migrations_pending');
      expect(problem.detail).toContain(last);
      // Liveness is not readiness: the process still answers.
      expect((await fetch(`${finch.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await db
        .insertInto('finch_migrations' as never)
        .values(row as never)
        .execute();
    }
    expect((await fetch(`${finch.baseUrl}/health/ready`)).status).toBe(200);
  });

  it('is not ready once told it is shutting down (a signal came), while still live', async () => {
    const other = await startObservedFinch(backend);
    try {
      expect((await fetch(`${other.baseUrl}/health/ready`)).status).toBe(200);
      markShuttingDown(other.app);
      const stopping = await fetch(`${other.baseUrl}/health/ready`);
      expect(stopping.status).toBe(503);
      expect(stopping.headers.get('retry-after')).toBe('5');
      expect(((await stopping.json()) as { code: string }).code).toBe('shutting_down');
      expect((await fetch(`${other.baseUrl}/health/live`)).status).toBe(200);
      // The first server is untouched: the flag is per server.
      expect((await fetch(`${finch.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses /metrics without the token when one is set: 401 problem with WWW-Authenticate: Bearer', async () => {
    const guarded = await startObservedFinch(backend, { metricsToken: TOKEN });
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
        const refused = await fetch(`${guarded.baseUrl}/metrics`, { headers });
        expect(refused.status, JSON.stringify(headers)).toBe(401);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const body = await refused.text();
        expect(body).not.toContain(TOKEN);
        expect(body).not.toContain('finch_');
      }
      const families = await guarded.scrape({ authorization: `Bearer ${TOKEN}` });
      expect(families.has('finch_http_requests_total')).toBe(true);
      // The refusals were counted, as 401s of /metrics.
      expect(sampleOf(families, 'finch_http_requests_total', { route: '/metrics', status: '401' })).toBe(3);
      // The probes need no token.
      expect((await fetch(`${guarded.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

describe.skipIf(!outsideAddress())('/metrics without a token, reached over a non-loopback address of this machine', () => {
  it('refuses the caller (403), trusted proxy and forged X-Forwarded-For or not; the token opens it', async () => {
    const address = outsideAddress()!;
    const open = await startObservedFinch('sqlite', { host: address, trustProxy: true });
    const guarded = await startObservedFinch('sqlite', { host: address, metricsToken: TOKEN });
    try {
      const refused = await fetch(`${open.baseUrl}/metrics`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe('metrics_loopback_only');
      // A proxy on the same host is trusted (FINCH_TRUST_PROXY=true) and says the client is local: still refused.
      expect((await fetch(`${open.baseUrl}/metrics`, { headers: { 'x-forwarded-for': '127.0.0.1' } })).status).toBe(403);
      expect((await fetch(`${open.baseUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${guarded.baseUrl}/metrics`)).status).toBe(401);
      expect((await guarded.scrape({ authorization: `Bearer ${TOKEN}` })).has('finch_sse_clients')).toBe(true);
    } finally {
      await open.close();
      await guarded.close();
    }
  });

  it('judges by the socket, not X-Forwarded-For: a loopback peer behind a trusted proxy claiming an outside client is let in', async () => {
    const local = await startObservedFinch('sqlite', { trustProxy: true });
    try {
      expect((await fetch(`${local.baseUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});
