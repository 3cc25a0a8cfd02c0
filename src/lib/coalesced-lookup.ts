/**
 * Lookups by key that share one statement: while a statement is out, the lookups that arrive wait
 * for it to come back and then go out together in the next one, each distinct key once. With
 * nothing out, a lookup goes at once, so a quiet server waits for nothing.
 *
 *   const tokens = new CoalescedLookup((hashes) => readTokens(hashes), {
 *     maxKeys: 100, maxWaitingKeys: 1_000, stallMs: 100, overloaded: () => new Error('busy'),
 *   });
 *   const found = await tokens.find(tokenHash); // undefined: no such key
 *
 * A lookup joins only a statement sent after it arrived, never one already out: so whatever was
 * committed before the lookup began (a token revoked on another node, say) is seen by the
 * statement that answers it, exactly as if it had gone alone. The rule comes from
 * docs/decisions.md, "Token lookups that share a statement".
 *
 * Faults stay local: a statement that fails fails only the lookups that shared it, with its error;
 * one that is out longer than `stallMs` (a connection gone quiet) no longer holds the next back, so
 * the lookups behind it go in a statement of their own; and past `maxWaitingKeys` distinct keys
 * waiting for a statement (a flood of unknown tokens) a new key is refused at once with
 * `overloaded()`. Keys already sent are bounded by the statements out: one per `stallMs` at most
 * while the store is slow, each holding or queueing for a connection of the pool.
 */
export interface CoalescedLookupOptions {
  /** Most distinct keys in one statement; the rest go in the next. A whole number ≥ 1. */
  maxKeys: number;
  /** Most distinct keys waiting for a statement; a new key past it is refused. A whole number ≥ 1. */
  maxWaitingKeys: number;
  /** Milliseconds a statement may be out before the lookups behind it go without waiting for it (1 to 2^31 - 1). */
  stallMs: number;
  /** The error a lookup refused for `maxWaitingKeys` fails with. */
  overloaded: () => Error;
}

/** The longest delay setTimeout honours (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class CoalescedLookup<V> {
  /** Lookups that arrived after the newest statement was sent, by key. */
  private readonly waiting = new Map<string, Waiter<V>[]>();
  /** The newest statement sent and not yet back (or stalled): the next waits for it. */
  private newest: object | undefined;
  private stallTimer: NodeJS.Timeout | undefined;

  /**
   * `read(keys)` reads every key in one statement and answers the values found by key (a key
   * missing from the map was not found); it is called with 1 to `maxKeys` distinct keys.
   * Throws a RangeError for `maxKeys` or `maxWaitingKeys` not a whole number ≥ 1, or `stallMs`
   * outside 1 to 2^31 - 1.
   */
  constructor(
    private readonly read: (keys: string[]) => Promise<Map<string, V>>,
    private readonly options: CoalescedLookupOptions,
  ) {
    for (const limit of ['maxKeys', 'maxWaitingKeys'] as const) {
      if (!Number.isInteger(options[limit]) || options[limit] < 1) throw new RangeError(`${limit} must be a whole number ≥ 1, not ${options[limit]}`);
    }
    // setTimeout turns NaN, negative and huge delays into 1 ms: every statement would count as stalled.
    if (!Number.isFinite(options.stallMs) || options.stallMs < 1 || options.stallMs > MAX_TIMER_MS) {
      throw new RangeError(`stallMs must be between 1 and ${MAX_TIMER_MS}, not ${options.stallMs}`);
    }
  }

  /** The value for `key` as a statement sent after this call read it; `undefined` if none. */
  find(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else if (this.waiting.size < this.options.maxWaitingKeys) this.waiting.set(key, [{ resolve, reject }]);
      else reject(this.options.overloaded());
      if (!this.newest && this.waiting.size > 0) this.send();
    });
  }

  /** Sends one statement for the waiting keys (at most `maxKeys`); the next waits for it. */
  private send(): void {
    const batch = new Map<string, Waiter<V>[]>();
    for (const [key, waiters] of this.waiting) {
      if (batch.size === this.options.maxKeys) break;
      batch.set(key, waiters);
      this.waiting.delete(key);
    }
    const statement = {};
    this.newest = statement;
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.next(statement), this.options.stallMs);
    this.stallTimer.unref();
    let answered: Promise<Map<string, V>>;
    try {
      answered = this.read([...batch.keys()]);
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered
      .then(
        (found) => settle(batch, (waiter, key) => waiter.resolve(found.get(key))),
        (error: unknown) => settle(batch, (waiter) => waiter.reject(error)),
      )
      .catch((error: unknown) => settle(batch, (waiter) => waiter.reject(error)))
      .finally(() => this.next(statement));
  }

  /** `statement` came back or stalled: if it is still the newest, the lookups waiting go now. */
  private next(statement: object): void {
    if (this.newest !== statement) return;
    this.newest = undefined;
    clearTimeout(this.stallTimer);
    if (this.waiting.size > 0) this.send();
  }
}

/** Settles every waiter of a batch once (a promise ignores a second settling). */
function settle<V>(batch: Map<string, Waiter<V>[]>, each: (waiter: Waiter<V>, key: string) => void): void {
  for (const [key, waiters] of batch) for (const waiter of waiters) each(waiter, key);
}
