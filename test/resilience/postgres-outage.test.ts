/**
 * Losing PostgreSQL under load never ends a Finch process. A dedicated server is restarted
 * (`pg_ctl restart -m fast`), stopped for a while, and has every Finch connection terminated
 * (`pg_terminate_backend`, the LISTEN one included), and loses its network for a while, while Fin mirrors messages and agents add
 * notes in parallel: meanwhile requests answer 2xx or 503 with Retry-After and a problem body
 * (never 500, never a broken connection), /health says 503 and then 200, Finch recovers by itself,
 * and every write that was acknowledged is in the database afterwards. A `finch worker` rides out
 * a restart too and delivers what is written after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/store/sql/change-feed.js';
import { EventStreamClient } from '../support/event-stream.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { createDatabase, findPostgresBin, startControlledPostgres, type ControlledPostgres } from '../support/postgres-server.js';
import { runFinch, startFinchProcess, startWorkerProcess, type ServerProcess } from '../support/process.js';
import { TcpProxy } from './tcp-proxy.js';
import { acknowledged, createAccounts, expectOnlySuccessOr503, prepareActors, startLoad, summarize, type Load } from './load.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, polling. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

/** Runs load for `beforeMs`, then `outage`, then until writes succeed again and `afterMs` more. */
async function throughOutage(server: ServerProcess, load: Load, outage: () => Promise<void>, { beforeMs = 1500, afterMs = 1500 } = {}) {
  await pause(beforeMs);
  const outageAt = load.now();
  await outage();
  const outageDoneAt = load.now();
  // Recovered: a write that started after the outage ended succeeded.
  await until(
    () => load.answers.some((answer) => answer.what !== 'health' && answer.status === 201 && answer.at > outageDoneAt + 50),
    30_000,
    'a write to succeed after the outage',
  );
  const recoveredAt = load.answers.find((answer) => answer.what !== 'health' && answer.status === 201 && answer.at > outageDoneAt + 50)!.at;
  await until(() => load.answers.some((answer) => answer.what === 'health' && answer.status === 200 && answer.at > outageDoneAt), 30_000, '/health to say 200');
  await pause(afterMs);
  await load.stop();
  expect(server.child.exitCode, server.output()).toBeNull();
  expect(server.child.signalCode).toBeNull();
  return { outageAt, outageDoneAt, recoveredAt };
}

/** The ids among `ids` that are not in the messages table. */
async function missingMessages(databaseUrl: string, ids: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('select id from messages where id = any($1)', [ids]);
    const found = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !found.has(id));
  } finally {
    await client.end();
  }
}

async function finchConnections(serverUrl: string, database: string, applicationName?: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and ($2::text is null or application_name = $2)',
      [database, applicationName ?? null],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function terminateFinchConnections(serverUrl: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()) as terminated',
      [database],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe.skipIf(!findPostgresBin())('a Finch process when PostgreSQL goes away under load', () => {
  let postgres: ControlledPostgres;
  let receiver: FinReceiver;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let databaseUrl: string;
  let databaseName: string;
  let accounts: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    postgres = await startControlledPostgres();
    receiver = await new FinReceiver().start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-outage-'));
    databaseUrl = await createDatabase(postgres.serverUrl, 'finch_outage');
    databaseName = new URL(databaseUrl).pathname.slice(1);
    env = {
      FINCH_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      FINCH_FIN_INTEGRATION_ID: 'int_outage',
      FINCH_FIN_WEBHOOK_KEY: 'outage-key',
      FINCH_FIN_BASE_URL: receiver.baseUrl,
      FINCH_LOG_LEVEL: 'warn',
    };
    accounts = await createAccounts(env);
  }, 60_000);

  afterAll(async () => {
    await receiver?.stop();
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays up through pg_ctl restart -m fast, answers 503 meanwhile, and loses no acknowledged write', { timeout: 90_000 }, async () => {
    const server = await startFinchProcess(env);
    try {
      const actors = await prepareActors(server.baseUrl, accounts);
      const load = startLoad(server.baseUrl, actors);
      const times = await throughOutage(server, load, () => postgres.restart('fast'));
      expectOnlySuccessOr503(load.answers);
      const ids = acknowledged(load.answers);
      expect(await missingMessages(databaseUrl, ids)).toEqual([]);
      const summary = summarize(load.answers);
      process.stdout.write(
        `pg_ctl restart -m fast under load: ${JSON.stringify({ ...summary, restartMs: Math.round(times.outageDoneAt - times.outageAt), firstWriteAfterRestartMs: Math.round(times.recoveredAt - times.outageDoneAt) })}\n`,
      );
      expect(summary.succeeded).toBeGreaterThan(0);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    }
  });

  it('stays up while PostgreSQL is down for seconds: /health and writes say 503 until it is back', { timeout: 90_000 }, async () => {
    const server = await startFinchProcess(env);
    try {
      const actors = await prepareActors(server.baseUrl, accounts);
      const load = startLoad(server.baseUrl, actors);
      const times = await throughOutage(server, load, async () => {
        await postgres.halt('fast');
        await pause(3000);
        await postgres.resume();
      });
      expectOnlySuccessOr503(load.answers);
      const summary = summarize(load.answers);
      // Down for 3 s: writes and /health must have said so.
      expect(summary.unavailable).toBeGreaterThan(0);
      const health = load.answers.filter((answer) => answer.what === 'health' && answer.at > times.outageAt);
      const firstDown = health.findIndex((answer) => answer.status === 503);
      expect(firstDown).toBeGreaterThanOrEqual(0);
      expect(health.slice(firstDown).some((answer) => answer.status === 200)).toBe(true);
      expect(await missingMessages(databaseUrl, acknowledged(load.answers))).toEqual([]);
      process.stdout.write(
        `PostgreSQL down 3 s under load: ${JSON.stringify({ ...summary, firstWriteAfterStartMs: Math.round(times.recoveredAt - times.outageDoneAt) })}\n`,
      );
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    }
  });

  it('stays up when every connection is terminated, the LISTEN one included, and the event stream resumes', { timeout: 90_000 }, async () => {
    const server = await startFinchProcess(env);
    try {
      const actors = await prepareActors(server.baseUrl, accounts);
      const stream = await EventStreamClient.connect(`${server.baseUrl}/api/v1/events`, actors.agent.authHeaders());
      expect(stream.response.status).toBe(200);
      await stream.next((event) => event.event === 'ready', { timeoutMs: 5000 });
      await until(async () => (await finchConnections(postgres.serverUrl, databaseName, LISTENER_APPLICATION_NAME)) === 1, 10_000, 'the LISTEN connection');
      const mark = stream.mark();
      const load = startLoad(server.baseUrl, actors);
      await throughOutage(server, load, async () => {
        expect(await terminateFinchConnections(postgres.serverUrl, databaseName)).toBeGreaterThan(0);
      });
      expectOnlySuccessOr503(load.answers);
      expect(await missingMessages(databaseUrl, acknowledged(load.answers))).toEqual([]);
      // The change feed listens again and tells the stream it may have missed changes…
      await until(
        async () => (await finchConnections(postgres.serverUrl, databaseName, LISTENER_APPLICATION_NAME)) === 1,
        15_000,
        'the LISTEN connection to come back',
      );
      await stream.next((event) => event.event === 'ready', { from: mark, timeoutMs: 15_000 });
      // …and changes reach it again.
      const after = stream.mark();
      const note = await actors.agent.post(`/conversations/${actors.conversationIds[0]}/messages`, { body: 'After the storm', visibility: 'private' });
      expect(note.status).toBe(201);
      await stream.changeOf(actors.conversationIds[0]!, { from: after, timeoutMs: 5000 });
      stream.close();
      process.stdout.write(`pg_terminate_backend of every connection under load: ${JSON.stringify(summarize(load.answers))}\n`);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    }
  });

  it('stays up when the network to PostgreSQL drops (connections reset, new ones refused) and recovers', { timeout: 90_000 }, async () => {
    const target = new URL(databaseUrl);
    const proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxy.port);
    const server = await startFinchProcess({ ...env, DATABASE_URL: viaProxy.toString() });
    try {
      const actors = await prepareActors(server.baseUrl, accounts);
      const load = startLoad(server.baseUrl, actors);
      await throughOutage(server, load, async () => {
        proxy.cut();
        await pause(2000);
        proxy.mend();
      });
      expectOnlySuccessOr503(load.answers);
      const summary = summarize(load.answers);
      expect(summary.unavailable).toBeGreaterThan(0);
      expect(summary.healthUnavailable).toBeGreaterThan(0);
      expect(await missingMessages(databaseUrl, acknowledged(load.answers))).toEqual([]);
      process.stdout.write(`network to PostgreSQL dropped for 2 s under load: ${JSON.stringify(summary)}\n`);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
      await proxy.stop();
    }
  });

  it('answers 503 within FINCH_DB_QUERY_TIMEOUT when PostgreSQL stops answering on open connections, /health included, and recovers', {
    timeout: 90_000,
  }, async () => {
    const target = new URL(databaseUrl);
    const proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    const viaProxy = new URL(databaseUrl);
    viaProxy.port = String(proxy.port);
    const server = await startFinchProcess({ ...env, DATABASE_URL: viaProxy.toString(), FINCH_DB_QUERY_TIMEOUT: '2' });
    try {
      const actors = await prepareActors(server.baseUrl, accounts, 1);
      const agents = () =>
        fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${actors.finToken}` }, signal: AbortSignal.timeout(30_000) });
      const health = () => fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(30_000) });
      // The pool is warm: requests find open connections that will not answer.
      for (let i = 0; i < 3; i++) expect((await Promise.all([agents(), health()])).map((response) => response.status)).toEqual([200, 200]);
      proxy.stall();
      const startedAt = Date.now();
      const timed = async (send: () => Promise<Response>) => {
        const response = await send();
        return {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: (await response.json()) as { code?: string; status?: string },
          ms: Date.now() - startedAt,
        };
      };
      const answers = await Promise.all([timed(health), timed(agents), timed(agents), timed(health)]);
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer)).toBe(503);
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        // 2 s statement bound + 1 s client grace, or 5 s for a new connection; never the 60 s idle timeout.
        expect(answer.ms).toBeLessThan(9_000);
      }
      expect(answers[1]!.body.code).toBe('database_unavailable');
      expect(answers[0]!.body.status).toBe('unavailable');
      process.stdout.write(`PostgreSQL stalled, query timeout 2 s: answered 503 after ${answers.map((answer) => answer.ms).join(', ')} ms\n`);
      proxy.flow();
      // The timed-out connections were discarded: their late answers reach no later query, and
      // every request answers right again.
      await until(async () => (await health()).status === 200, 20_000, '/health to say 200');
      for (let i = 0; i < 10; i++) {
        const [listed, healthy] = await Promise.all([agents(), health()]);
        expect(listed.status).toBe(200);
        expect(Array.isArray(await listed.json())).toBe(true);
        expect(healthy.status).toBe(200);
      }
      expect(server.child.exitCode, server.output()).toBeNull();
    } finally {
      proxy.flow();
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
      await proxy.stop();
    }
  });

  it('answers 503 busy within FINCH_DB_QUERY_TIMEOUT while another session holds a lock, and serves when it is released', { timeout: 60_000 }, async () => {
    const server = await startFinchProcess({ ...env, FINCH_DB_QUERY_TIMEOUT: '2' });
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      const actors = await prepareActors(server.baseUrl, accounts, 1);
      const agents = () =>
        fetch(`${server.baseUrl}/api/fin/agents`, { headers: { authorization: `Bearer ${actors.finToken}` }, signal: AbortSignal.timeout(30_000) });
      expect((await agents()).status).toBe(200);
      await locker.query('begin');
      await locker.query('lock table agents in access exclusive mode');
      const startedAt = Date.now();
      const refused = await agents();
      const ms = Date.now() - startedAt;
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(((await refused.json()) as { code: string }).code).toBe('database_unavailable');
      expect(ms).toBeGreaterThanOrEqual(1_500);
      expect(ms).toBeLessThan(6_000);
      // A lock on one table is contention, not an unavailable database.
      expect((await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      process.stdout.write(`agents locked by another session, query timeout 2 s: 503 after ${ms} ms\n`);
      await locker.query('rollback');
      expect((await agents()).status).toBe(200);
      expect(server.output()).toMatch(/locked or busy/);
    } finally {
      await locker.end();
      const stopped = await server.stop();
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    }
  });

  it('keeps a finch worker running through a restart, delivering what is written after it', { timeout: 90_000 }, async () => {
    const server = await startFinchProcess({ ...env, FINCH_DISPATCHER: 'off' });
    const worker = await startWorkerProcess(env);
    try {
      const actors = await prepareActors(server.baseUrl, accounts, 1);
      const load = startLoad(server.baseUrl, actors, 1);
      await throughOutage(server, load, () => postgres.restart('fast'));
      expectOnlySuccessOr503(load.answers);
      await pause(500);
      expect(worker.child.exitCode, worker.output()).toBeNull();
      // A terminated LISTEN connection and pool: still delivering.
      await terminateFinchConnections(postgres.serverUrl, databaseName);
      await pause(500);
      const delivered = receiver.received.length;
      const note = await actors.agent.post(`/conversations/${actors.conversationIds[0]}/messages`, { body: 'Worker, are you there?', visibility: 'public' });
      expect(note.status).toBe(201);
      await until(
        () => receiver.received.slice(delivered).some((hook) => hook.body.conversation_id === actors.conversationIds[0]),
        15_000,
        'the worker to deliver',
      );
      expect(worker.child.exitCode, worker.output()).toBeNull();
    } finally {
      const stopped = await worker.stop();
      expect(stopped.code, stopped.stdout).toBe(0);
      await server.stop();
    }
  });

  it('finch start says plainly that the database is down; finch worker waits for it and then delivers', { timeout: 90_000 }, async () => {
    await postgres.halt('fast');
    let worker: Promise<ServerProcess> | undefined;
    try {
      const refused = await runFinch(['start'], { ...env, FINCH_PORT: '0', FINCH_DEMO: 'off' });
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(/^finch start: the database cannot be reached: .*ECONNREFUSED/m);
      expect(refused.stderr).not.toMatch(/Unhandled|\n\s+at /);

      worker = startWorkerProcess(env);
      await pause(2500);
    } finally {
      await postgres.resume();
    }
    const started = await worker;
    try {
      expect(started.output()).toContain('the database is unavailable; waiting for it');
      const server = await startFinchProcess({ ...env, FINCH_DISPATCHER: 'off' });
      try {
        const actors = await prepareActors(server.baseUrl, accounts, 1);
        const delivered = receiver.received.length;
        expect((await actors.agent.post(`/conversations/${actors.conversationIds[0]}/messages`, { body: 'Hello worker', visibility: 'public' })).status).toBe(
          201,
        );
        await until(
          () => receiver.received.slice(delivered).some((hook) => hook.body.conversation_id === actors.conversationIds[0]),
          15_000,
          'the worker to deliver',
        );
      } finally {
        await server.stop();
      }
    } finally {
      expect((await started.stop()).code).toBe(0);
    }
  });
});
