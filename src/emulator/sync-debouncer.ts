/**
 * Webhooks for one conversation are debounced into one synchronization, and one conversation is
 * synchronized at a time (Intercom documents both: Fin debounces the helpdesk's events and locks
 * each conversation while it syncs).
 *
 * The rule: the first webhook for a chat starts a wait of `debounceMs`; every webhook for that chat
 * that arrives before its sync starts joins it. Once the sync starts (it holds the chat's lock),
 * webhooks that arrive join one follow-up sync, which waits for the lock, so a change made during
 * a sync is still pulled, and a burst of N webhooks costs at most two syncs, not N.
 */
export class SyncDebouncer {
  private readonly waiting = new Map<string, Promise<void>>();

  constructor(
    private readonly debounceMs: number,
    /** Runs the sync of `key`; calls `started` once it holds the lock, before pulling anything. */
    private readonly run: (key: string, started: () => void) => Promise<void>,
  ) {}

  /** Asks for a sync of `key`; resolves when the sync this request joined has run. */
  request(key: string): Promise<void> {
    const queued = this.waiting.get(key);
    if (queued) return queued;
    const forget = () => {
      if (this.waiting.get(key) === sync) this.waiting.delete(key);
    };
    const sync: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, this.debounceMs).unref()).then(() => this.run(key, forget)).finally(forget);
    this.waiting.set(key, sync);
    return sync;
  }
}
