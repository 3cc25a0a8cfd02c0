/**
 * The scheduler over real databases (SQLite: two connections to one file; PostgreSQL: two pools,
 * as two Finch processes have), on a fake clock: each job runs once per interval between every
 * node, a dead node's lease is taken over when it runs out, a running job's lease is renewed, a
 * failing job is logged and runs again at its next interval, and stopping waits for a running job.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { DatabaseUnavailableError } from '../../src/store/port.js';
import type { Database } from '../../src/store/sql/database.js';
import { SqlJobLeases } from '../../src/store/sql/sql-job-leases.js';
import { openTestData, type TestData } from '../outbox/support.js';
import { FakeClock } from '../support/fake-clock.js';
import { sqlBackends } from '../support/finch.js';

const EVERY = 30_000;
const LEASE = 60_000;

describe.each(sqlBackends())('scheduled jobs on %s', (backend) => {
  let data: TestData;
  let clock: FakeClock;
  let logged: { level: string; message: string; details: Record<string, unknown> }[];
  let schedulers: Scheduler[];

  beforeEach(async () => {
    data = await openTestData(backend);
    clock = new FakeClock('2026-03-02T08:00:00.000Z');
    logged = [];
    schedulers = [];
  });
  afterEach(async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await data.close();
  });

  const record = (level: string) => (details: object, message: string) => void logged.push({ level, message, details: details as Record<string, unknown> });
  const logger = { info: record('info'), warn: record('warn'), error: record('error') };

  /** A scheduler of `jobs` on `database` (the test's first pool by default), started. */
  function scheduler(jobs: Job[], holder: string, database: Database = data.database, on: FakeClock = clock): Scheduler {
    const started = new Scheduler({ jobs, leases: new SqlJobLeases(database), clock: on, logger, holder, leaseMs: LEASE });
    schedulers.push(started);
    started.start();
    return started;
  }

  /** Moves the clock and waits until no scheduler is taking a lease or running a job. */
  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    for (let round = 0; round < 2; round++) for (const each of schedulers) await each.idle();
  }

  const lease = (name: string) => new SqlJobLeases(data.database).get(name);

  it('runs a job once per interval between two nodes that try it at the same moment', async () => {
    const runs: string[] = [];
    const counting = (node: string): Job => ({ name: 'count', everyMs: EVERY, run: async (now) => void runs.push(`${node} ${now.toISOString()}`) });
    scheduler([counting('a')], 'node-a');
    scheduler([counting('b')], 'node-b', data.another());
    await advance(0);
    expect(runs).toHaveLength(1);
    for (let interval = 1; interval <= 6; interval++) {
      // Within the interval nothing more runs; at its end, exactly one node runs it.
      await advance(EVERY / 3);
      await advance(EVERY / 3);
      expect(runs).toHaveLength(interval);
      await advance(EVERY / 3);
      expect(runs, runs.join('\n')).toHaveLength(interval + 1);
    }
    const times = runs.map((run) => Date.parse(run.split(' ')[1]!));
    expect(times.slice(1).map((time, index) => time - times[index]!)).toEqual(Array(6).fill(EVERY));
    expect(await lease('count')).toMatchObject({
      lastOutcome: 'ok',
      lastError: null,
      lastStartedAt: clock.now().toISOString(),
      expiresAt: clock.now().toISOString(),
    });
    expect(logged.filter((line) => line.message === 'job finished')).toHaveLength(7);
    expect(logged.find((line) => line.message === 'job finished')!.details).toMatchObject({ job: 'count', durationMs: expect.any(Number) });
  });

  it('runs a job once per interval when the other node tries it after the run has finished', async () => {
    const runs: string[] = [];
    const counting = (node: string): Job => ({ name: 'count', everyMs: EVERY, run: async () => void runs.push(node) });
    const clockB = new FakeClock(clock.now().toISOString());
    const nodes = [
      { clock, scheduler: scheduler([counting('a')], 'node-a') },
      { clock: clockB, scheduler: scheduler([counting('b')], 'node-b', data.another(), clockB) },
    ];
    for (let interval = 0; interval <= 6; interval++) {
      // Each node in turn reaches the interval's end and settles before the other does; the first one runs it.
      for (const node of interval % 2 === 0 ? nodes : [...nodes].reverse()) {
        node.clock.advance(interval === 0 ? 0 : EVERY);
        await node.scheduler.idle();
      }
      expect(runs).toHaveLength(interval + 1);
    }
    expect(runs).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a']);
  });

  it('takes over the lease of a node that died holding it, once the lease has run out', async () => {
    const start = clock.now();
    expect(
      await new SqlJobLeases(data.database).acquire('count', 'dead-node', {
        now: start,
        until: new Date(start.getTime() + LEASE),
        dueBefore: new Date(start.getTime() - EVERY),
      }),
    ).toEqual({ acquired: true });
    const runs: string[] = [];
    scheduler([{ name: 'count', everyMs: EVERY, run: async (now) => void runs.push(now.toISOString()) }], 'node-b', data.another());
    await advance(0);
    await advance(EVERY);
    await advance(EVERY - 1);
    expect(runs).toEqual([]);
    await advance(1);
    expect(runs).toEqual([new Date(start.getTime() + LEASE).toISOString()]);
    expect(await lease('count')).toMatchObject({ holder: 'node-b', lastOutcome: 'ok' });
  });

  it('renews the lease while a job runs longer than it, so no other node starts it; stopping waits for the run', async () => {
    let finish = () => {};
    const slow: Job = { name: 'slow', everyMs: EVERY, run: () => new Promise<void>((resolve) => (finish = resolve)) };
    const otherRuns: string[] = [];
    const a = scheduler([slow], 'node-a');
    await until(async () => (await lease('slow'))?.holder === 'node-a');
    scheduler([{ name: 'slow', everyMs: EVERY, run: async (now) => void otherRuns.push(now.toISOString()) }], 'node-b', data.another());
    const start = clock.now().getTime();
    try {
      for (let renewal = 1; renewal <= 9; renewal++) {
        clock.advance(LEASE / 3);
        await until(async () => (await lease('slow'))?.expiresAt === new Date(start + (renewal + 3) * (LEASE / 3)).toISOString());
        for (const each of schedulers.slice(1)) await each.idle();
      }
      expect(otherRuns).toEqual([]);
      let stopped = false;
      const stopping = a.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stopped).toBe(false);
      finish();
      await stopping;
    } finally {
      // A failed expectation must not leave the job running for the clean-up to wait on.
      finish();
    }
    expect(await lease('slow')).toMatchObject({ holder: 'node-a', lastOutcome: 'ok', expiresAt: clock.now().toISOString() });
  });

  it('logs a job that throws, records it on the lease, and runs it again at the next interval', async () => {
    const failures = [new Error('the report table is missing'), new DatabaseUnavailableError('connection refused', 5)];
    let runs = 0;
    scheduler(
      [
        {
          name: 'flaky',
          everyMs: EVERY,
          run: async () => {
            runs++;
            const failure = failures.shift();
            if (failure) throw failure;
            return { rolledUp: 3 };
          },
        },
      ],
      'node-a',
    );
    await advance(0);
    expect(logged).toEqual([
      {
        level: 'error',
        message: 'job failed',
        details: { job: 'flaky', durationMs: expect.any(Number), err: expect.objectContaining({ message: 'the report table is missing' }) },
      },
    ]);
    expect(await lease('flaky')).toMatchObject({ lastOutcome: 'failed', lastError: 'the report table is missing' });
    await advance(EVERY);
    expect(logged[1]).toEqual({
      level: 'warn',
      message: 'job not done: the database is unavailable; it is tried again at its next interval',
      details: { job: 'flaky', durationMs: expect.any(Number), reason: 'unreachable', error: 'connection refused' },
    });
    await advance(EVERY);
    expect(logged[2]).toEqual({ level: 'info', message: 'job finished', details: { job: 'flaky', durationMs: expect.any(Number), rolledUp: 3 } });
    expect(await lease('flaky')).toMatchObject({ lastOutcome: 'ok', lastError: null });
    expect(runs).toBe(3);
  });

  it('runs each job on its own interval, and refuses two jobs of one name', async () => {
    const runs: string[] = [];
    scheduler(
      [
        { name: 'often', everyMs: EVERY, run: async () => void runs.push('often') },
        { name: 'hourly', everyMs: 3_600_000, run: async () => void runs.push('hourly') },
      ],
      'node-a',
    );
    await advance(0);
    for (let step = 0; step < 120; step++) await advance(EVERY);
    expect(runs.filter((run) => run === 'often')).toHaveLength(121);
    expect(runs.filter((run) => run === 'hourly')).toHaveLength(2);
    const job: Job = { name: 'twice', everyMs: EVERY, run: async () => undefined };
    expect(() => new Scheduler({ jobs: [job, job], leases: new SqlJobLeases(data.database), clock, logger, holder: 'x' })).toThrow(
      'two scheduled jobs are named twice',
    );
  });
});

/** Polls `condition` (real time) until it holds, for what the test cannot wait on otherwise. */
async function until(condition: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
