/**
 * A scheduled job: work that runs every so often on one Finch node at a time (scheduler.ts), e.g.
 * the fail-safe and the pruning of the delivery log.
 */

/** A few facts about a run for its log line, e.g. `{ routed: 3 }`. */
export type JobOutcome = Readonly<Record<string, string | number | boolean | null>>;

export interface Job {
  /** Unique among jobs; names the job's lease row and its log lines. Never renamed: the row keeps the old name. */
  readonly name: string;
  /** Milliseconds from one run's start to the next's, across all nodes. */
  readonly everyMs: number;
  /**
   * Does the work once. `now` is the scheduler's clock at the start. Throwing fails this run only
   * (logged; the next runs at the next interval).
   */
  run(now: Date): Promise<JobOutcome | void>;
}

/** Pino's shape, as much of it as jobs use. */
export interface JobLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
