/**
 * Where Finch's scheduled jobs run, as an operator starts its processes, on SQLite and PostgreSQL:
 * `finch start` runs them beside its dispatcher and logs each run; with FINCH_DISPATCHER=off it runs
 * neither, and a `finch worker` on the same data runs both, holding the jobs' leases; both processes
 * stop cleanly on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/store/sql/database.js';
import { SqlJobLeases } from '../../src/store/sql/sql-job-leases.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { exitWithin, killAll, launchFinch, processesUsing } from './processes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) killAll(processesUsing(dir));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A log line of a finished run of `job`, as pino writes it. */
const finishedRun = (job: string) => new RegExp(`\\{[^\\n]*"job":"${job}"[^\\n]*"msg":"job finished"[^\\n]*\\}`);

describe.each(sqlBackends())('scheduled jobs in Finch processes on %s', (backend) => {
  async function installation(): Promise<Record<string, string | undefined>> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-jobs-'));
    dirs.push(dir);
    const databaseUrl = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    return { FINCH_DATA_DIR: dir, DATABASE_URL: databaseUrl, FINCH_PORT: '0', FINCH_DEMO: 'off', FINCH_LOG_LEVEL: 'info' };
  }

  it('finch start runs the fail-safe and the pruning beside its dispatcher, and logs each run with its job', async () => {
    const server = launchFinch(['start'], await installation());
    await server.waitFor(/Finch is running at/);
    const line = JSON.parse((await server.waitFor(finishedRun('fail-safe')))[0]);
    expect(line).toMatchObject({ level: 30, job: 'fail-safe', routed: 0, durationMs: expect.any(Number), msg: 'job finished' });
    await server.waitFor(finishedRun('prune-deliveries'));
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 15_000)).toEqual({ code: 0, signal: null });
  });

  it('with FINCH_DISPATCHER=off the server runs no job, and finch worker runs them, holding their leases', async () => {
    const env = await installation();
    const server = launchFinch(['start'], { ...env, FINCH_DISPATCHER: 'off' });
    await server.waitFor(/Finch is running at/);
    const worker = launchFinch(['worker'], env);
    await worker.waitFor(/finch worker delivering notifications to Fin/);
    await worker.waitFor(finishedRun('fail-safe'));
    await worker.waitFor(finishedRun('prune-deliveries'));

    const database = openDatabase({ url: env.DATABASE_URL, dataDir: env.FINCH_DATA_DIR! });
    try {
      const leases = new SqlJobLeases(database);
      for (const job of ['fail-safe', 'prune-deliveries']) {
        expect(await leases.get(job)).toMatchObject({ holder: expect.stringMatching(new RegExp(`^${os.hostname()}:${worker.child.pid}:`)), lastOutcome: 'ok' });
      }
    } finally {
      await database.close();
    }
    worker.child.kill('SIGTERM');
    expect(await exitWithin(worker, 15_000)).toEqual({ code: 0, signal: null });
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 15_000)).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/"job":/);
  });
});
