/**
 * Deliveries Fin accepted, settled together. While some of a dispatcher's POSTs are still out, the
 * ones already accepted wait for them, and all are settled in one write
 * (`OutboxStore.settleDelivered`); an answer slower than `maxWaitMs` does not hold the others back.
 * A claim takes every event that gathered since the previous one and sends up to 16 POSTs at once,
 * so under load this makes one write per 16 deliveries or fewer instead of one per delivery
 * (bench/README.md, "Cost per agent change"). A lone delivery is settled as soon as it is accepted.
 * Should a group's write fail, each of its deliveries is written on its own, so that one that cannot
 * be (or a deadlock with another writer) does not leave the others to be sent to Fin again.
 */
import type { Delivered } from '../store/outbox-port.js';

interface Waiting {
  delivered: Delivered;
  settled: () => void;
  failed: (error: unknown) => void;
}

/** How long an accepted delivery waits for slower POSTs before it is settled without them, in ms. */
const MAX_WAIT_MS = 5;

export class SettlementGroup {
  /** POSTs sent and not yet answered. */
  private posting = 0;
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** `settle` writes a group (the outbox's `settleDelivered`); several writes may run at once. */
  constructor(
    private readonly settle: (deliveries: readonly Delivered[]) => Promise<void>,
    private readonly maxWaitMs = MAX_WAIT_MS,
  ) {}

  /** A POST is going out: its delivery, if Fin accepts it, may join the others'. */
  sent(): void {
    this.posting++;
  }

  /** The POST was answered and Fin accepted it. Resolves once it is settled; rejects with the write's error. */
  accepted(delivered: Delivered): Promise<void> {
    this.posting--;
    const done = new Promise<void>((settled, failed) => this.waiting.push({ delivered, settled, failed }));
    this.settleWhenDue();
    return done;
  }

  /** The POST failed or was answered otherwise (its event is settled on its own): no longer waited for. */
  answered(): void {
    this.posting--;
    this.settleWhenDue();
  }

  private settleWhenDue(): void {
    if (this.waiting.length === 0) return;
    if (this.posting === 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return;
    this.write(group).then(
      () => {
        for (const { settled } of group) settled();
      },
      (error: unknown) => {
        if (group.length === 1) group[0]!.failed(error);
        else for (const one of group) this.write([one]).then(one.settled, one.failed);
      },
    );
  }

  /** `settle` as a promise even if it throws at once. */
  private write(group: readonly Waiting[]): Promise<void> {
    return Promise.resolve().then(() => this.settle(group.map(({ delivered }) => delivered)));
  }
}
