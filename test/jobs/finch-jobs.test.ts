/**
 * Finch's own jobs under the scheduler, over real databases on a fake clock: the fail-safe every
 * 30 s (Fin unreachable 10 minutes: its conversations go to people, the dispatcher is woken, the
 * warning is logged) and the pruning of the 30-day delivery log every hour, as the dispatcher did
 * them before they became jobs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finchJobs } from '../../src/jobs/finch-jobs.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { SqlFailSafe } from '../../src/store/sql/sql-fail-safe.js';
import { SqlJobLeases } from '../../src/store/sql/sql-job-leases.js';
import { SqlOutboxStore } from '../../src/store/sql/sql-outbox-store.js';
import { SqlSettingsStore } from '../../src/store/sql/sql-settings-store.js';
import { at, openTestData, type TestData } from '../outbox/support.js';
import { FakeClock } from '../support/fake-clock.js';
import { sqlBackends } from '../support/finch.js';

const DAY = 86_400;

describe.each(sqlBackends())("Finch's jobs on %s", (backend) => {
  let data: TestData;
  let scheduler: Scheduler | undefined;

  beforeEach(async () => {
    data = await openTestData(backend);
  });
  afterEach(async () => {
    await scheduler?.stop();
    await data.close();
  });

  it('routes Fin’s conversations to people every 30 s once Fin has been unreachable 10 minutes, and prunes the delivery log hourly', async () => {
    const outbox = new SqlOutboxStore(data.database);
    const settings = new SqlSettingsStore(data.database);
    // A notification delivered at 0 (with its attempt), and a conversation whose sync event waits.
    const delivered = await data.conversation();
    await data.enqueueSync(delivered, at(0));
    const [event] = await outbox.claimDue('w1', at(0), at(30), 10);
    await outbox.resolve(
      event!,
      { status: 'delivered' },
      {
        eventId: event!.id,
        conversationId: delivered,
        kind: 'sync',
        attempt: 1,
        url: 'https://fin.example/hook',
        statusCode: 202,
        latencyMs: 5,
        responseExcerpt: null,
        error: null,
        outcome: 'delivered',
        nextAttemptAt: null,
        createdAt: at(0),
      },
      at(0),
    );
    const waiting = await data.conversation({ at: at(DAY) });
    await data.enqueueSync(waiting, at(DAY));
    // 30 days after the delivery, less 25 s: it is kept; Fin unreachable for 9 minutes 40 s.
    const clock = new FakeClock(at(30 * DAY - 25));
    await settings.updateDeliveryState((state) => ({ ...state, unreachableSince: at(30 * DAY - 25 - 580) }), at(30 * DAY - 25 - 580));

    const logged: { level: string; message: string; details: Record<string, unknown> }[] = [];
    const record = (level: string) => (details: object, message: string) => void logged.push({ level, message, details: details as Record<string, unknown> });
    const logger = { info: record('info'), warn: record('warn'), error: record('error') };
    let woken = 0;
    const jobs = finchJobs(
      { settings, failSafe: new SqlFailSafe(data.database), outbox, store: data.store },
      { failSafeAfterMs: 600_000, logger, onRouted: () => woken++ },
    );
    expect(jobs.map((job) => [job.name, job.everyMs])).toEqual([
      ['fail-safe', 30_000],
      ['prune-deliveries', 3_600_000],
    ]);
    scheduler = new Scheduler({ jobs, leases: new SqlJobLeases(data.database), clock, logger, holder: 'node-a' });
    const finished = (job: string) => logged.filter((line) => line.message === 'job finished' && line.details.job === job).map((line) => line.details);
    const step = async (ms: number) => {
      clock.advance(ms);
      await scheduler!.idle();
    };

    scheduler.start();
    await step(0);
    expect(finished('fail-safe')).toEqual([{ job: 'fail-safe', durationMs: expect.any(Number), routed: 0 }]);
    expect(await outbox.findEvent(event!.id)).toBeDefined();
    expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toHaveLength(1);
    expect((await data.store.findConversation(waiting))!.assignee).not.toBeNull();

    await step(30_000);
    expect(finished('fail-safe').map((details) => details.routed)).toEqual([0, 1]);
    expect(await data.store.findConversation(waiting)).toMatchObject({ assignee: null, handoverReason: 'fin_unreachable' });
    expect(logged).toContainEqual({
      level: 'warn',
      message: 'Fin has been unreachable too long: its conversations were routed to people',
      details: { conversations: 1, since: at(30 * DAY - 605) },
    });
    expect(woken).toBe(1);
    expect(finished('prune-deliveries')).toHaveLength(1);

    // An hour after the first pruning the delivery, now over 30 days old, goes.
    for (let elapsed = 30_000; elapsed < 3_600_000; elapsed += 30_000) await step(30_000);
    expect(finished('fail-safe')).toHaveLength(121);
    expect(finished('prune-deliveries')).toHaveLength(2);
    expect(await outbox.findEvent(event!.id)).toBeUndefined();
    expect((await outbox.listDeliveries({ limit: 10 })).deliveries).toEqual([]);
    expect(
      logged.filter((line) => line.level !== 'info' && line.message !== 'Fin has been unreachable too long: its conversations were routed to people'),
    ).toEqual([]);
  });
});
