/**
 * Delivers the outbox to Fin. Runs inside the server by default, or in `finch worker` processes;
 * on PostgreSQL any number of dispatchers can run, each event going to exactly one of them.
 *
 * A cycle claims due events for a lease, posts each to Fin, and records the attempt and the event's
 * fate in one transaction; the deliveries Fin accepted are recorded together, one write for the
 * POSTs answered about together (settlement-group.ts). A dispatcher that dies mid-delivery loses nothing:
 * its lease runs out and the event is due again. Between cycles it waits for `wake()` (a local
 * change) or the poll interval; while wakes keep coming, it claims at most every `gatherMs`.
 * While the database is unavailable (restarting, full) cycles fail and are tried again at each poll:
 * said once in the log when it goes and once when it is back, never ending the process. It only
 * delivers: the fail-safe and the pruning of the delivery log are scheduled jobs (src/jobs/).
 */
import { webhookTarget, type DeliveryState, type FinSettings, type WebhookTarget } from '../domain/fin-settings.js';
import type { SettingsStore } from '../store/helpdesk-port.js';
import { OutageLog } from '../lib/outage-log.js';
import { WakeableLoop } from '../lib/wakeable-loop.js';
import { DatabaseUnavailableError } from '../store/port.js';
import type { AttemptOutcome, EventResolution, OutboxEvent, OutboxKind, OutboxStore } from '../store/outbox-port.js';
import type { Clock } from './clock.js';
import { nextAttemptAt, retryAfter } from './schedule.js';
import { SettlementGroup } from './settlement-group.js';
import { postWebhook, type WebhookResult } from './webhook-sender.js';

export interface DispatcherLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** One delivery attempt as the metrics count it (src/metrics/): its event's kind, its outcome, and how long the POST took. */
export interface DeliveryAttemptReport {
  kind: OutboxKind;
  outcome: AttemptOutcome;
  /** From sending to Fin's answer or the failure (timeout, refused), in seconds. */
  durationSeconds: number;
}

/** Hears of each attempt once it is recorded; must not throw (an exception is ignored). */
export type DeliveryObserver = (attempt: DeliveryAttemptReport) => void;

export interface DispatcherOptions {
  outbox: OutboxStore;
  settings: SettingsStore;
  /** The Fin settings in effect (stored ones with environment overrides applied). */
  finSettings: () => Promise<FinSettings>;
  clock: Clock;
  logger: DispatcherLogger;
  /** Names this dispatcher in claims, e.g. `host:pid`. */
  worker: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Wait between cycles when nothing was due. Default 500 ms. */
  pollMs?: number;
  /** Events claimed per cycle. Default 50. */
  batchSize?: number;
  /** Deliveries in flight at once. Default 16. */
  concurrency?: number;
  /**
   * While changes keep coming, claims at most this often, each taking what gathered since the
   * previous one (a claim after a quiet spell goes at once). Default 20 ms.
   */
  gatherMs?: number;
  /** For jitter; tests pass a constant. */
  random?: () => number;
  /** Hears of each delivery attempt (the process's metrics), from the first. */
  onAttempt?: DeliveryObserver;
}

const LEASE_MARGIN_MS = 20_000;
/*
 * Every change wakes every dispatcher, and on PostgreSQL each worker's claim is a statement whether
 * or not it finds anything: at 200 changes/s with two workers, 400 claims for 200 events. Claims at
 * most every 20 ms cap that at 100 and let one claim's deliveries be settled in one write; Fin hears
 * of a change at most 20 ms later, and only under load (bench/README.md, "Cost per agent change").
 */
const GATHER_MS = 20;
const SETTINGS_TTL_MS = 2_000;
/** How stale `lastSuccessAt` may get before a success is written down again (one write, not one per delivery). */
const SUCCESS_NOTE_EVERY_MS = 60_000;

export class Dispatcher extends WakeableLoop {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly gatherMs: number;
  private readonly random: () => number;
  private readonly settlements: SettlementGroup;

  private cached: { at: number; target: WebhookTarget; state: DeliveryState } | undefined;
  /** Failed cycles: a database outage said once when it starts and once when it ends. */
  private readonly outage: OutageLog;

  constructor(private readonly options: DispatcherOptions) {
    super((ms, signal) => options.clock.sleep(ms, signal));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 500;
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 16;
    this.gatherMs = options.gatherMs ?? GATHER_MS;
    this.settlements = new SettlementGroup((deliveries) => options.outbox.settleDelivered(deliveries));
    this.random = options.random ?? Math.random;
    this.outage = new OutageLog(
      options.logger,
      {
        failed: 'outbox cycle failed',
        down: 'the database is unavailable: notifications to Fin wait and are tried again at each poll',
        back: 'the database is available again: delivering notifications to Fin',
      },
      (error): error is DatabaseUnavailableError => error instanceof DatabaseUnavailableError,
    );
  }

  /** Settings changed: read them again before the next delivery. */
  settingsChanged(): void {
    this.cached = undefined;
    this.wake();
  }

  protected async run(): Promise<void> {
    let lastClaim = Number.NEGATIVE_INFINITY;
    while (!this.stopping) {
      // At most gatherMs, whatever the wall clock did meanwhile (a step back must not hold delivery).
      const hold = Math.min(lastClaim + this.gatherMs - this.options.clock.now().getTime(), this.gatherMs);
      if (hold > 0) await this.pause(hold);
      if (this.stopping) break;
      // The claim takes whatever the wakes so far announced: they need no claim of their own after it.
      this.clearWake();
      lastClaim = this.options.clock.now().getTime();
      let processed = 0;
      try {
        processed = await this.runOnce();
        this.outage.succeeded();
      } catch (error) {
        this.outage.failed(error);
      }
      // A cycle that claimed less than a full batch took everything due: wait for a wake-up (one
      // that came during the cycle ends the wait at once) instead of claiming again for nothing.
      if (processed < this.batchSize && !this.stopping) await this.idleFor(this.pollMs);
    }
  }

  /** One cycle: claim what is due and deliver it. Returns how many events were handled. */
  async runOnce(): Promise<number> {
    const { target, state } = await this.current();
    // Nothing is claimed while Fin is not configured or has switched delivery off: events wait.
    if (!target.ok || state.disabledAt !== null) return 0;
    const now = this.options.clock.now();
    const events = await this.options.outbox.claimDue(
      this.options.worker,
      now.toISOString(),
      new Date(now.getTime() + this.timeoutMs + LEASE_MARGIN_MS).toISOString(),
      this.batchSize,
    );
    await forEachLimited(events, this.concurrency, (event) => this.deliver(event, target));
    return events.length;
  }

  private async current(): Promise<{ target: WebhookTarget; state: DeliveryState }> {
    const now = this.options.clock.now().getTime();
    if (!this.cached || now - this.cached.at > SETTINGS_TTL_MS) {
      const [settings, state] = await Promise.all([this.options.finSettings(), this.options.settings.getDeliveryState()]);
      this.cached = { at: now, target: webhookTarget(settings), state };
    }
    return this.cached;
  }

  private async deliver(event: OutboxEvent, target: Extract<WebhookTarget, { ok: true }>): Promise<void> {
    const { clock, outbox, logger } = this.options;
    if (event.kind === 'typing' && event.expiresAt !== null && event.expiresAt <= clock.now().toISOString()) {
      await outbox.resolve(event, { status: 'expired', error: 'expired before it could be sent' }, null, clock.now().toISOString());
      return;
    }
    // Judged inside the delivery's span, so the span's outcome is the word the metrics count it under.
    let judged: { at: Date; resolution: EventResolution; outcome: AttemptOutcome } | undefined;
    this.settlements.sent();
    let result: WebhookResult;
    try {
      result = await postWebhook(target, event, {
        timeoutMs: this.timeoutMs,
        clock,
        judge: async (answer) => {
          const at = clock.now();
          judged = { at, ...(await this.judge(event, answer, at)) };
          return judged.outcome;
        },
      });
    } catch (error) {
      this.settlements.answered();
      throw error;
    }
    const { at, resolution, outcome } = judged!;
    const attempt = {
      eventId: event.id,
      conversationId: event.conversationId,
      kind: event.kind,
      attempt: event.attempts,
      url: target.url,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      responseExcerpt: result.responseExcerpt,
      error: result.error,
      outcome,
      nextAttemptAt: resolution.status === 'pending' ? resolution.availableAt : null,
      createdAt: at.toISOString(),
    };
    if (resolution.status === 'delivered') await this.settlements.accepted({ event, attempt, at: at.toISOString() });
    else {
      this.settlements.answered();
      await outbox.resolve(event, resolution, attempt, at.toISOString());
    }
    try {
      this.options.onAttempt?.({ kind: event.kind, outcome, durationSeconds: result.latencyMs / 1000 });
    } catch {
      // Counting must never stop a delivery.
    }
    const details = { event: event.id, kind: event.kind, conversation: event.conversationId, attempt: event.attempts, status: result.statusCode };
    if (outcome === 'dead') logger.error({ ...details, error: result.error }, 'notification to Fin dead-lettered; the conversation is not synced with Fin');
    else if (outcome !== 'delivered') logger.warn({ ...details, error: result.error, outcome }, 'notification to Fin failed');
  }

  /** What an attempt's result means for the event, and for delivery as a whole. */
  private async judge(event: OutboxEvent, result: WebhookResult, at: Date): Promise<{ resolution: EventResolution; outcome: AttemptOutcome }> {
    const status = result.statusCode;
    if (status !== null && status >= 200 && status < 300) {
      await this.noteSuccess(at);
      return { resolution: { status: 'delivered' }, outcome: 'delivered' };
    }
    const error = result.error ?? `Fin answered ${status}`;
    if (status === 410) {
      // Gone: the integration no longer exists on Fin's side. Stop until an admin says otherwise.
      await this.updateState((state) => ({ ...state, disabledAt: state.disabledAt ?? at.toISOString(), disabledReason: 'Fin answered 410 Gone' }), at);
      this.options.logger.error({ event: event.id }, 'Fin answered 410 Gone: delivery to Fin is disabled until an admin re-enables it');
      return { resolution: { status: 'pending', availableAt: at.toISOString(), error }, outcome: 'disabled' };
    }
    // A 429 means Fin is there and busy; anything else means it is not answering as it should.
    if (status !== 429) await this.updateState((state) => (state.unreachableSince ? state : { ...state, unreachableSince: at.toISOString() }), at);
    if (event.kind === 'typing') {
      // Worthless after a few seconds: never retried, never dead-lettered.
      return { resolution: { status: 'expired', error }, outcome: 'expired' };
    }
    const next = nextAttemptAt(event.createdAt, event.attempts, at, this.random, status === 429 ? retryAfter(result.retryAfter, at) : undefined);
    if (next === null) return { resolution: { status: 'dead', error }, outcome: 'dead' };
    return { resolution: { status: 'pending', availableAt: next.toISOString(), error }, outcome: 'retry' };
  }

  private async noteSuccess(at: Date): Promise<void> {
    const state = this.cached?.state;
    const recent = state?.lastSuccessAt && at.getTime() - Date.parse(state.lastSuccessAt) < SUCCESS_NOTE_EVERY_MS;
    if (state && state.unreachableSince === null && recent) return;
    await this.updateState((current) => ({ ...current, unreachableSince: null, lastSuccessAt: at.toISOString() }), at);
  }

  private async updateState(change: (state: DeliveryState) => DeliveryState, at: Date): Promise<void> {
    const state = await this.options.settings.updateDeliveryState(change, at.toISOString());
    if (this.cached) this.cached = { ...this.cached, state };
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
