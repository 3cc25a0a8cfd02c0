/**
 * Scheduled jobs when the network to PostgreSQL drops: taking a job's lease fails as the database
 * being unavailable, which is logged as a warning naming the job (the process goes on), and the job
 * runs again at its next interval once the network is back.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { openDatabase, type Database } from '../../src/store/sql/database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { SqlJobLeases } from '../../src/store/sql/sql-job-leases.js';
import { FakeClock } from '../support/fake-clock.js';
import { createDatabase } from '../support/postgres-server.js';
import { TcpProxy } from './tcp-proxy.js';

describe.skipIf(!inject('postgresUrl'))('scheduled jobs when the network to PostgreSQL drops', () => {
  let proxy: TcpProxy;
  let database: Database;
  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl')!);
    const direct = openDatabase({ url, dataDir: '.' });
    await migrateToLatest(direct.db, direct.dialect);
    await direct.close();
    const target = new URL(url);
    proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    target.port = String(proxy.port);
    database = openDatabase({ url: target.toString(), dataDir: '.', poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await proxy?.stop();
  });

  it('warns that the database is unavailable, naming the job, and runs it at the next interval once it is back', async () => {
    const clock = new FakeClock();
    const logged: { level: string; message: string; details: Record<string, unknown> }[] = [];
    const record = (level: string) => (details: object, message: string) => void logged.push({ level, message, details: details as Record<string, unknown> });
    let runs = 0;
    const scheduler = new Scheduler({
      jobs: [{ name: 'count', everyMs: 30_000, run: async () => void runs++ }],
      leases: new SqlJobLeases(database),
      clock,
      logger: { info: record('info'), warn: record('warn'), error: record('error') },
      holder: 'node-a',
    });
    scheduler.start();
    try {
      await scheduler.idle();
      expect(runs).toBe(1);
      proxy.cut();
      clock.advance(30_000);
      await scheduler.idle();
      expect(runs).toBe(1);
      expect(logged.at(-1)).toEqual({
        level: 'warn',
        message: 'job not done: the database is unavailable; it is tried again at its next interval',
        details: { job: 'count', reason: 'unreachable', error: expect.any(String) },
      });
      proxy.mend();
      clock.advance(30_000);
      await scheduler.idle();
      expect(runs).toBe(2);
      expect(logged.at(-1)).toMatchObject({ level: 'info', message: 'job finished', details: { job: 'count' } });
      expect(logged.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });
});
