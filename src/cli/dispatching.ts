/**
 * A process's background work (the server's or a worker's): the outbox dispatcher, woken by local
 * writes and, on PostgreSQL, by other processes' NOTIFY (heard through the process's one
 * change-feed connection), and the scheduled jobs (src/jobs/), each run by one node at a time.
 * Both start with the process and stop on shutdown after the deliveries in flight and the job
 * running. They run together: where FINCH_DISPATCHER=off turns delivery off, the jobs are off
 * too, and `finch worker` processes run both.
 */
import os from 'node:os';
import type { Config } from '../config.js';
import { effectiveFinSettings } from '../domain/fin-settings.js';
import type { Finch } from '../finch.js';
import { finchJobs } from '../jobs/finch-jobs.js';
import type { Job, JobLogger } from '../jobs/job.js';
import { Scheduler } from '../jobs/scheduler.js';
import { systemClock, type Clock } from '../outbox/clock.js';
import { Dispatcher, type DeliveryObserver, type DispatcherLogger } from '../outbox/dispatcher.js';
import { SqlJobLeases } from '../store/sql/sql-job-leases.js';
import type { Background, BackgroundDeps } from './background.js';
import { notificationBackground } from './notification-background.js';
import { presenceBackground } from './presence-background.js';
import { routingBackground } from './routing-background.js';
import { slaBackground } from './sla-background.js';

export interface RunningBackground {
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  /** Automatic assignment's router: `wake` after a local change that may let it assign. */
  routing: Background;
  stop: () => Promise<void>;
}

export async function runBackground(
  finch: Finch,
  config: Config,
  logger: DispatcherLogger & JobLogger,
  options: { onAttempt?: DeliveryObserver } = {},
): Promise<RunningBackground> {
  const dispatcher = createDispatcher(finch, config, { logger, clock: systemClock, onAttempt: options.onAttempt });
  const deps: BackgroundDeps = { finch, config, logger, clock: systemClock };
  const notifications = notificationBackground(deps);
  // What routing assigns has a sync event for Fin: send it now, not at the next poll. (An email it
  // queues wakes the sender by itself, as every commit that queues notifications does.)
  const routing = routingBackground(deps, { onRouted: () => dispatcher.wake() });
  const capabilities = [presenceBackground(deps), routing, slaBackground(deps), notifications];
  const scheduler = createScheduler(finch, {
    clock: systemClock,
    logger,
    jobs: [
      // Conversations the fail-safe hands over have sync events and wait for routing.
      ...finchJobs(finch, {
        failSafeAfterMs: config.failSafeMinutes * 60_000,
        logger,
        onRouted: () => {
          dispatcher.wake();
          routing.wake();
        },
      }),
      ...capabilities.flatMap((capability) => capability.jobs),
    ],
  });
  dispatcher.start();
  for (const capability of capabilities) capability.start();
  scheduler.start();
  const stopWaking = await finch.database.changes.wakeOnOutboxWrites(
    () => dispatcher.wake(),
    (error) => logger.warn({ error: error.message }, 'not listening for outbox notifications; polling until listening again'),
  );
  return {
    dispatcher,
    scheduler,
    routing,
    stop: async () => {
      await stopWaking();
      await Promise.all([dispatcher.stop(), scheduler.stop(), ...capabilities.map((capability) => capability.stop())]);
    },
  };
}

/**
 * A dispatcher over Finch's SQL stores, with Fin's effective settings (stored, overridden by the
 * environment). The fail-safe is not the dispatcher's: it is a job (src/jobs/fail-safe.ts).
 */
export function createDispatcher(
  finch: Finch,
  config: Pick<Config, 'fin'>,
  options: {
    logger: DispatcherLogger;
    clock: Clock;
    timeoutMs?: number;
    pollMs?: number;
    gatherMs?: number;
    random?: () => number;
    onAttempt?: DeliveryObserver;
  },
): Dispatcher {
  return new Dispatcher({
    outbox: finch.outbox,
    settings: finch.settings,
    finSettings: async () => effectiveFinSettings(await finch.settings.getFinSettings(), config.fin),
    clock: options.clock,
    logger: options.logger,
    worker: processName(),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.gatherMs === undefined ? {} : { gatherMs: options.gatherMs }),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
  });
}

/** A scheduler of `jobs` whose leases are in Finch's database. */
export function createScheduler(
  finch: Pick<Finch, 'database'>,
  options: { clock: Clock; logger: JobLogger; jobs: readonly Job[]; leaseMs?: number },
): Scheduler {
  return new Scheduler({
    jobs: options.jobs,
    leases: new SqlJobLeases(finch.database),
    clock: options.clock,
    logger: options.logger,
    holder: processName(),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
}

/** Names a dispatcher in claims and a scheduler in leases: `host:pid:random` (a process may run several, tests do). */
function processName(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}
