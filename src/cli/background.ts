/**
 * One capability's background work in a process that runs deliveries (the server, unless
 * FINCH_DISPATCHER=off, and `finch worker`): its scheduled jobs, which the process's one scheduler
 * runs, and a loop of its own if it has one (started with the process, woken by local changes,
 * stopped on shutdown after the work in flight).
 */
import type { Config } from '../config.js';
import type { Finch } from '../finch.js';
import type { Job, JobLogger } from '../jobs/job.js';
import type { Clock } from '../outbox/clock.js';
import type { DispatcherLogger } from '../outbox/dispatcher.js';

export interface Background {
  readonly jobs: readonly Job[];
  start(): void;
  /** Something it waits for may have changed in this process. */
  wake(): void;
  stop(): Promise<void>;
}

export type BackgroundLogger = DispatcherLogger & JobLogger;

export interface BackgroundDeps {
  finch: Finch;
  config: Config;
  logger: BackgroundLogger;
  clock: Clock;
}

/** A capability with jobs only. */
export function jobsOnly(jobs: readonly Job[]): Background {
  return { jobs, start: () => undefined, wake: () => undefined, stop: async () => undefined };
}
