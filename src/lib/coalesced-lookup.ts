/**
 * Lookups by key that share one statement: while a statement is out, the lookups that arrive wait
 * for it to come back and then go out together in the next one, each distinct key once. With
 * nothing out, a lookup goes at once, so a quiet server waits for nothing.
 *
 *   const tokens = new CoalescedLookup((hashes) => readTokens(hashes), { maxKeys: 500 });
 *   const found = await tokens.find(tokenHash); // undefined: no such key
 *
 * A lookup joins only a statement sent after it arrived, never one already out: so whatever was
 * committed before the lookup began (a token revoked on another node, say) is seen by the
 * statement that answers it, exactly as if it had gone alone. The rule comes from
 * docs/decisions.md, "Token lookups that share a statement".
 *
 * A statement that fails fails every lookup that shared it, with its error; the next lookups go in
 * a new statement.
 */
export interface CoalescedLookupOptions {
  /** Most distinct keys in one statement; the rest go in the next. */
  maxKeys: number;
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class CoalescedLookup<V> {
  /** Lookups that arrived while a statement was out, by key. */
  private readonly waiting = new Map<string, Waiter<V>[]>();
  private out = false;

  /**
   * `read(keys)` reads every key in one statement and answers the values found by key (a key
   * missing from the map was not found); it is called with 1 to `maxKeys` distinct keys.
   */
  constructor(
    private readonly read: (keys: string[]) => Promise<Map<string, V>>,
    private readonly options: CoalescedLookupOptions,
  ) {}

  /** The value for `key` as a statement sent after this call read it; `undefined` if none. */
  find(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.out) this.send();
    });
  }

  /** Sends one statement for the waiting keys (at most `maxKeys`), then the next while any wait. */
  private send(): void {
    const batch = new Map<string, Waiter<V>[]>();
    for (const [key, waiters] of this.waiting) {
      if (batch.size === this.options.maxKeys) break;
      batch.set(key, waiters);
      this.waiting.delete(key);
    }
    this.out = true;
    let answered: Promise<Map<string, V>>;
    try {
      answered = this.read([...batch.keys()]);
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered
      .then(
        (found) => {
          for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.out = false;
        if (this.waiting.size > 0) this.send();
      });
  }
}
