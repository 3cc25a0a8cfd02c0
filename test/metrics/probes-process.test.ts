/**
 * The probes and /metrics through real outages and real processes: readiness 503 (a problem with
 * Retry-After) while PostgreSQL is stopped and 200 once it is back, with /metrics answering
 * meanwhile without the database's gauges; and a `finch worker` process serving /metrics and the
 * probes on FINCH_METRICS_PORT, its delivery counters moving as it posts to a real Fin receiver.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { createDatabase, findPostgresBin, startControlledPostgres, type ControlledPostgres } from '../support/postgres-server.js';
import { finchArgs, startFinchProcess, startWorkerProcess } from '../support/process.js';
import { parseMetrics, sampleOf, startObservedFinch, type ObservedFinch } from './support.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

describe.skipIf(!findPostgresBin())('readiness while PostgreSQL is stopped', () => {
  let postgres: ControlledPostgres;
  let finch: ObservedFinch;

  beforeAll(async () => {
    postgres = await startControlledPostgres();
    const databaseUrl = await createDatabase(postgres.serverUrl, 'finch_ready');
    finch = await startObservedFinch('postgres', { databaseUrl, readTimeoutMs: 1000 });
  }, 60_000);
  afterAll(async () => {
    await finch?.close().catch(() => undefined);
    await postgres?.stop();
  });

  it('answers 503 with a problem and Retry-After while it is down, 200 after; /metrics keeps answering', { timeout: 90_000 }, async () => {
    expect((await fetch(`${finch.baseUrl}/health/ready`)).status).toBe(200);
    await postgres.halt('fast');
    const started = Date.now();
    const down = await fetch(`${finch.baseUrl}/health/ready`);
    const tookMs = Date.now() - started;
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await down.json()) as { code: string }).code).toBe('database_unavailable');
    // Within the readiness bound (2 s) and a margin.
    expect(tookMs).toBeLessThan(4000);
    expect((await fetch(`${finch.baseUrl}/health/live`)).status).toBe(200);

    const scrapeStarted = Date.now();
    const response = await fetch(`${finch.baseUrl}/metrics`);
    const scrapeMs = Date.now() - scrapeStarted;
    expect(response.status).toBe(200);
    const families = parseMetrics(await response.text());
    expect(sampleOf(families, 'finch_metrics_database_up')).toBe(0);
    expect(sampleOf(families, 'finch_outbox_pending')).toBeUndefined();
    expect(sampleOf(families, 'finch_http_requests_total', { route: '/health/ready', status: '503' })).toBeGreaterThanOrEqual(1);
    expect(scrapeMs).toBeLessThan(3000);

    await postgres.resume();
    const resumedAt = Date.now();
    await until(async () => (await fetch(`${finch.baseUrl}/health/ready`)).status === 200, 30_000, 'readiness after PostgreSQL is back');
    const back = parseMetrics(await (await fetch(`${finch.baseUrl}/metrics`)).text());
    expect(sampleOf(back, 'finch_metrics_database_up')).toBe(1);
    expect(sampleOf(back, 'finch_outbox_pending')).toBeGreaterThanOrEqual(0);
    process.stdout.write(
      `readiness: 503 in ${tookMs} ms with PostgreSQL stopped, /metrics in ${scrapeMs} ms, ready ${Date.now() - resumedAt} ms after it was back\n`,
    );
  });
});

describe.skipIf(!sqlBackends().includes('postgres'))('a finch worker process with FINCH_METRICS_PORT', () => {
  let receiver: FinReceiver;
  let data: TestFinch;
  let dataDir: string;

  beforeAll(async () => {
    receiver = await new FinReceiver().start();
    data = await startTestFinch('postgres');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-worker-metrics-'));
  });
  afterAll(async () => {
    await data?.close();
    await receiver?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /metrics (its delivery counters moving) and the probes; refuses other paths', { timeout: 60_000 }, async () => {
    await makeAgent(data, 'Ada', 'admin');
    const admin = await AgentClient.signIn(data.baseUrl, 'ada@example.com', PASSWORD);
    const conversation = await finConversation(data);
    expect((await admin.post(`/conversations/${conversation.id}/messages`, { body: 'note', visibility: 'private' })).status).toBe(201);
    const worker = await startWorkerProcess({
      DATABASE_URL: data.databaseUrl,
      FINCH_DATA_DIR: dataDir,
      FINCH_FIN_INTEGRATION_ID: 'int_worker_metrics',
      FINCH_FIN_WEBHOOK_KEY: 'whk_worker_metrics',
      FINCH_FIN_BASE_URL: receiver.baseUrl,
      FINCH_METRICS_PORT: '0',
      FINCH_LOG_LEVEL: 'warn',
    });
    try {
      const port = /metrics and probes on port (\d+)/.exec(worker.output())?.[1];
      expect(port, worker.output()).toBeDefined();
      const base = `http://127.0.0.1:${port}`;
      await receiver.waitFor(1, 20_000);
      await until(
        async () =>
          (sampleOf(parseMetrics(await (await fetch(`${base}/metrics`)).text()), 'finch_webhook_deliveries_total', { kind: 'sync', outcome: 'delivered' }) ??
            0) >= 1,
        10_000,
        "the worker's delivery counter",
      );
      const families = parseMetrics(await (await fetch(`${base}/metrics`)).text());
      expect(sampleOf(families, 'finch_metrics_database_up')).toBe(1);
      expect(families.has('process_cpu_user_seconds_total')).toBe(true);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect(await (await fetch(`${base}/health/ready`)).json()).toEqual({ status: 'ready', database: 'ok', migrations: 'current' });
      const other = await fetch(`${base}/api/v1/conversations`);
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      const result = await worker.stop();
      expect(result.code, worker.output()).toBe(0);
    }
  });
});

describe('a finch worker process started before its database', () => {
  it('is live at once and not ready (503 database_unavailable) while it waits for the database', { timeout: 60_000 }, async () => {
    // A port nothing listens on: the worker waits for PostgreSQL there, retrying.
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-worker-waiting-'));
    const child = spawn(process.execPath, finchArgs(['worker']), {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: `postgres://finch@127.0.0.1:${closed}/finch`,
        FINCH_DATA_DIR: dataDir,
        FINCH_METRICS_PORT: '0',
        FINCH_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // The listening line is pino's (JSON): "Server listening at http://127.0.0.1:<port>".
      await until(async () => /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.test(output), 20_000, `the worker's HTTP server:\n${output}`);
      const base = `http://127.0.0.1:${/Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]}`;
      await until(async () => output.includes('the database is unavailable; waiting for it'), 20_000, 'the worker to wait for the database');
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(((await ready.json()) as { code: string }).code).toBe('database_unavailable');
      const families = parseMetrics(await (await fetch(`${base}/metrics`)).text());
      expect(families.has('finch_webhook_deliveries_total')).toBe(true);
      expect(families.has('process_cpu_user_seconds_total')).toBe(true);
      // No pool yet: no sample, not a "pool size 0".
      for (const name of ['finch_db_pool_max', 'finch_db_pool_connections_in_use', 'finch_db_pool_connections_idle', 'finch_db_pool_waiting']) {
        expect(sampleOf(families, name), name).toBeUndefined();
      }
      await pause(200);
      // Probes and scrapes are not logged at info, and the server starts without a deprecation warning.
      expect(output).not.toMatch(/incoming request|request completed/);
      expect(output).not.toMatch(/FSTDEP|DeprecationWarning|FastifyDeprecation/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a finch start process', () => {
  it('serves /metrics (with FINCH_METRICS_TOKEN set: only with the token) and the probes on its own port', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-start-metrics-'));
    const server = await startFinchProcess({ FINCH_DATA_DIR: dataDir, FINCH_PORT: '0', FINCH_DEMO: 'off', FINCH_METRICS_TOKEN: 'process-token-0123456789' });
    try {
      expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
      const scraped = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer process-token-0123456789' } });
      expect(scraped.status).toBe(200);
      const families = parseMetrics(await scraped.text());
      expect(sampleOf(families, 'finch_metrics_database_up')).toBe(1);
      expect(sampleOf(families, 'finch_db_pool_max')).toBe(1);
      expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
      // At the default level (info) probes and scrapes are not logged, as on a worker; other
      // requests still are.
      expect((await fetch(`${server.baseUrl}/api/v1/no-such-route`)).status).toBeGreaterThanOrEqual(400);
      await until(async () => server.output().includes('/api/v1/no-such-route'), 5_000, 'the logged API request');
      const requestLines = server
        .output()
        .split('\n')
        .filter((line) => line.includes('"incoming request"'));
      expect(requestLines.join('\n')).not.toMatch(/\/health\/|\/metrics/);
      expect(requestLines).toHaveLength(1);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
