/**
 * Runs scheduled jobs (job.ts), each on its interval and on one node at a time across every Finch
 * process on the database. Before each run a node takes the job's lease (store/job-lease-port.ts):
 * one atomic statement that succeeds only when no node holds it and the job's last start, by any
 * node, is an interval old. The holder renews the lease while the job runs and ends it after, with
 * the outcome; a node that dies mid-run holds it until it runs out (`leaseMs`), then another takes
 * over at the job's next time.
 *
 * Every run is logged with the job's name: `job finished` (info, with its duration and outcome) or
 * `job failed` (error). A job that throws fails that run only; while the database is unavailable
 * a warning says so and the job is tried again at its next interval. Nothing here ends the process.
 * Waiting uses the injected clock, so tests move time instead of waiting for it.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../outbox/clock.js';
import type { JobLease, JobLeaseStore } from '../store/job-lease-port.js';
import { DatabaseUnavailableError } from '../store/port.js';
import type { Job, JobLogger } from './job.js';

export interface SchedulerOptions {
  jobs: readonly Job[];
  leases: JobLeaseStore;
  clock: Clock;
  logger: JobLogger;
  /** Names this node in leases, e.g. `host:pid:random`; unique per scheduler. */
  holder: string;
  /** How long a lease lasts unrenewed: a dead node's jobs wait at most this long for another. Default 60 s. */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;
/** The least wait before trying a job again, so a lease that reads as free but is not taken is not tried in a tight loop. */
const MIN_WAIT_MS = 1_000;

export class Scheduler {
  private readonly leaseMs: number;
  private stopping: AbortController | undefined;
  private loops: Promise<void>[] = [];
  /** Job loops trying a lease or running a job (not waiting for their next time). */
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const names = options.jobs.map((job) => job.name);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) throw new Error(`two scheduled jobs are named ${twice}: a job's name is its lease`);
  }

  start(): void {
    if (this.stopping) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    this.loops = this.options.jobs.map((job) => this.loop(job, stopping.signal));
  }

  /** Stops trying jobs; resolves once the runs in progress have finished and released their leases. */
  async stop(): Promise<void> {
    this.stopping?.abort();
    await Promise.all(this.loops);
    this.loops = [];
    this.stopping = undefined;
  }

  /** Resolves once every job waits for its next time (none is taking a lease or running): for tests that move a fake clock. */
  async idle(): Promise<void> {
    // A clock timer that fired resumes its job's loop in a later microtask: let those start first.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(job: Job, stopping: AbortSignal): Promise<void> {
    this.busy++;
    try {
      while (!stopping.aborted) {
        let waitMs = job.everyMs;
        try {
          waitMs = await this.tick(job);
        } catch (error) {
          // tick catches what a job or the database throws: this is a fault of the scheduler's own.
          this.failed(job, error);
        }
        if (stopping.aborted) break;
        this.quiet();
        await this.options.clock.sleep(waitMs, stopping);
        this.busy++;
      }
    } finally {
      this.quiet();
    }
  }

  private quiet(): void {
    this.busy--;
    if (this.busy > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Tries the job's lease and runs the job if taken. Returns how long to wait before trying again. */
  private async tick(job: Job): Promise<number> {
    const { clock, leases, holder } = this.options;
    const now = clock.now();
    let attempt: Awaited<ReturnType<typeof leases.acquire>>;
    try {
      attempt = await leases.acquire(job.name, holder, {
        now,
        until: new Date(now.getTime() + this.leaseMs),
        dueBefore: new Date(now.getTime() - job.everyMs),
      });
    } catch (error) {
      this.failed(job, error);
      return job.everyMs;
    }
    if (!attempt.acquired) return untilDue(job, attempt.lease, now);
    await this.run(job, now);
    // Intervals run start to start: a run that took longer than one is followed at once.
    return Math.max(MIN_WAIT_MS, now.getTime() + job.everyMs - clock.now().getTime());
  }

  private async run(job: Job, startedAt: Date): Promise<void> {
    const { clock, leases, holder, logger } = this.options;
    const renewing = this.renewWhileRunning(job);
    const started = performance.now();
    let outcome: { ok: true } | { ok: false; error: string };
    try {
      const result = await job.run(startedAt);
      logger.info({ ...result, job: job.name, durationMs: Math.round(performance.now() - started) }, 'job finished');
      outcome = { ok: true };
    } catch (error) {
      this.failed(job, error, Math.round(performance.now() - started));
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    // A renewal landing after the release would hold the lease on for nobody.
    await renewing.stop();
    try {
      await leases.release(job.name, holder, clock.now(), outcome);
    } catch (error) {
      // Not released: the lease runs out by itself, and the next run waits for that.
      this.failed(job, error);
    }
  }

  /** Renews the job's lease every third of its length until `stop`, which waits for a renewal in flight. */
  private renewWhileRunning(job: Job): { stop: () => Promise<void> } {
    const { clock, leases, holder, logger } = this.options;
    let inFlight: Promise<void> = Promise.resolve();
    let lost = false;
    let cancel = (): void => undefined;
    const schedule = () => {
      cancel = clock.setTimer(this.leaseMs / 3, () => {
        inFlight = leases.renew(job.name, holder, new Date(clock.now().getTime() + this.leaseMs)).then(
          (held) => {
            if (held || lost) return;
            lost = true;
            logger.warn({ job: job.name }, 'job ran past its lease and another node took it over: it may run twice this once');
          },
          // Unavailable: the job meets the same outage; at worst the lease runs out and another node runs it.
          (error) => (error instanceof DatabaseUnavailableError ? undefined : this.failed(job, error)),
        );
        schedule();
      });
    };
    schedule();
    return {
      stop: async () => {
        cancel();
        await inFlight;
      },
    };
  }

  private failed(job: Job, error: unknown, durationMs?: number): void {
    const details = { job: job.name, ...(durationMs === undefined ? {} : { durationMs }) };
    if (error instanceof DatabaseUnavailableError) {
      this.options.logger.warn(
        { ...details, reason: error.reason, error: error.message },
        'job not done: the database is unavailable; it is tried again at its next interval',
      );
    } else {
      this.options.logger.error({ ...details, err: error }, 'job failed');
    }
  }
}

/** How long until the job may be taken: its lease ends and an interval has passed since its last start. */
function untilDue(job: Job, lease: JobLease | undefined, now: Date): number {
  if (!lease) return MIN_WAIT_MS;
  const due = Math.max(Date.parse(lease.expiresAt), lease.lastStartedAt === null ? 0 : Date.parse(lease.lastStartedAt) + job.everyMs);
  // At most an interval: another node's clock may be ahead, and a lease it holds may end early.
  return Math.min(job.everyMs, Math.max(MIN_WAIT_MS, due - now.getTime()));
}
