/**
 * The router: runs routing passes (domain/routing/route-waiting.ts) whenever a conversation may
 * have entered Waiting or someone may have room, so a hand-over is assigned within milliseconds.
 * It wakes on:
 * - `wake()`: a local change that is no conversation change (an agent came online, a capacity or
 *   the settings changed);
 * - the store's change feed: a committed change on any node that created a conversation or wrote
 *   its status or assignee (Fin's hand-overs, a customer's return, a deactivation, the fail-safe,
 *   a resolve that frees capacity); notes, edits and replies that keep the assignee could never
 *   give it work, and are not heard;
 * - a backstop poll (`pollMs`): presence changed on another node, an inbox connection expired.
 * Wake-ups within `debounceMs` make one pass; one arriving during a pass makes one more after it.
 * A pass with nothing to do costs one statement. Passes on several nodes take turns on the routing
 * lock, so running a router in every process is safe. A failed pass is logged (the database being
 * down once, when it goes and when it is back) and the next wake-up or poll tries again.
 */
import type { RoutingOutcome } from '../domain/routing/route-waiting.js';
import { OutageLog, type OutageLogger } from '../lib/outage-log.js';
import { WakeableLoop } from '../lib/wakeable-loop.js';
import type { Clock } from '../outbox/clock.js';
import { DatabaseUnavailableError } from '../store/port.js';

export type RouterLogger = OutageLogger;

export interface RouterOptions {
  /** One routing pass. */
  route: () => Promise<RoutingOutcome>;
  /** The change feed: calls `onChange` after each committed change that may give routing work; resolves with the unsubscriber. */
  subscribe?: (onChange: () => void, onMissed: () => void) => Promise<() => Promise<void>>;
  clock: Clock;
  logger: RouterLogger;
  /** Wake-ups this close together make one pass. Default 2 ms. */
  debounceMs?: number;
  /** The backstop poll. Default 2 000 ms. */
  pollMs?: number;
  /** Called after a pass that assigned or returned something (its outbox events committed). */
  onRouted?: (outcome: RoutingOutcome) => void;
}

/** How long to wait before subscribing to the change feed again after it failed. */
const RESUBSCRIBE_MS = 5_000;

export class Router extends WakeableLoop {
  private readonly debounceMs: number;
  private readonly pollMs: number;
  private unsubscribe: (() => Promise<void>) | undefined;
  private cancelResubscribe: (() => void) | undefined;
  private readonly outages: OutageLog;

  constructor(private readonly options: RouterOptions) {
    super((ms, signal) => options.clock.sleep(ms, signal));
    this.debounceMs = options.debounceMs ?? 2;
    this.pollMs = options.pollMs ?? 2_000;
    this.outages = new OutageLog(
      options.logger,
      {
        failed: 'routing pass failed',
        down: 'the database is unavailable: routing waits and tries again at each poll',
        back: 'the database is available again: routing',
      },
      (error) => error instanceof DatabaseUnavailableError,
    );
  }

  /** Starts with a pass: what waited while no router ran is routed at once. */
  override start(): void {
    if (this.started) return;
    this.wake();
    super.start();
    void this.subscribe();
  }

  /** Stops after the pass in flight. */
  override async stop(): Promise<void> {
    this.cancelResubscribe?.();
    await super.stop();
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    if (!this.options.subscribe || this.stopping) return;
    try {
      const unsubscribe = await this.options.subscribe(
        () => this.wake(),
        () => this.wake(),
      );
      if (this.stopping) await unsubscribe().catch(() => undefined);
      else this.unsubscribe = unsubscribe;
    } catch (error) {
      this.options.logger.warn({ error: (error as Error).message }, 'routing is not hearing conversation changes; polling until it is');
      this.cancelResubscribe = this.options.clock.setTimer(RESUBSCRIBE_MS, () => void this.subscribe());
    }
  }

  protected async run(): Promise<void> {
    while (!this.stopping) {
      await this.idleFor(this.pollMs);
      if (this.stopping) break;
      // A burst (a hand-over's several commits, 200 hand-overs at once) is one pass.
      await this.options.clock.sleep(this.debounceMs);
      this.clearWake();
      await this.pass();
    }
  }

  private async pass(): Promise<void> {
    try {
      let outcome: RoutingOutcome;
      do {
        outcome = await this.options.route();
        if (outcome.assigned > 0 || outcome.returned > 0) this.options.onRouted?.(outcome);
      } while (outcome.more && !this.stopping);
      this.outages.succeeded();
    } catch (error) {
      this.outages.failed(error);
    }
  }
}
