/**
 * The reason a wait is ended with. `abort()` without one builds a DOMException with a stack trace,
 * and every change wakes each loop of its process: 1.5–2.6 % of a process's time in the profiles
 * (bench/README.md, "Cost per agent change"). Nothing reads the reason.
 */
const WOKEN = 'woken';

/**
 * A process's background loop (the outbox dispatcher, the router, the notification sender): started
 * with the process, woken by local changes, stopped on shutdown after the cycle in flight. Between
 * cycles it waits for `wake()` or a timeout, whichever comes first; a wake that arrives during a
 * cycle ends the next wait at once, so a change made while a cycle ran is never left for the poll.
 */
export abstract class WakeableLoop {
  private running: Promise<void> | undefined;
  private idle: AbortController | undefined;
  private wakeRequested = false;
  /** Ends a `pause` on stop (a wake does not). */
  private stopped = new AbortController();
  protected stopping = false;

  /** `sleep` resolves after `ms`, or at once when `signal` aborts (the Clock's). */
  constructor(private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.stopped = new AbortController();
    this.running = this.run();
  }

  /** Something the loop waits for may have changed: end the current wait, or skip the next. */
  wake(): void {
    this.wakeRequested = true;
    this.idle?.abort(WOKEN);
  }

  /** Stops after the cycle in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.idle?.abort(WOKEN);
    this.stopped.abort(WOKEN);
    await this.running;
    this.running = undefined;
  }

  protected get started(): boolean {
    return this.running !== undefined;
  }

  /** The loop's body: cycles until `stopping`, waiting between them with `idleFor`. */
  protected abstract run(): Promise<void>;

  /**
   * Waits `ms` (a number, or worked out only when there is a wait to make) unless a wake came since
   * the last wait, which then ends it at once; `ignoreWake` waits the whole time anyway (after a
   * failed cycle, so a failure cannot spin the loop). Either way the wake is used up.
   */
  protected async idleFor(ms: number | (() => Promise<number>), options: { ignoreWake?: boolean } = {}): Promise<void> {
    if (this.wakeRequested && !options.ignoreWake) {
      this.wakeRequested = false;
      return;
    }
    this.idle = new AbortController();
    await this.sleep(typeof ms === 'number' ? ms : await ms(), this.idle.signal);
    this.idle = undefined;
    this.wakeRequested = false;
  }

  /**
   * Waits `ms` whatever wakes come (they are kept for the next `idleFor`); only stopping ends it
   * early. For holding a cycle back so that it finds more work done at once.
   */
  protected async pause(ms: number): Promise<void> {
    await this.sleep(ms, this.stopped.signal);
  }

  /** Uses up a pending wake without waiting (the work it asked for is about to be done). */
  protected clearWake(): void {
    this.wakeRequested = false;
  }
}
