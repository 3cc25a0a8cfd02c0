/**
 * Values kept while a store's version stays the same (`FinStore.version`: it moves on every commit,
 * by any connection). Every value is dropped when the version moves, so nothing kept is older than
 * the store, and nothing needs to know what a change touched.
 *
 *   const version = kept.current();            // read before the value is read from the store
 *   const hit = kept.get(version, key);
 *   if (hit === undefined) kept.set(version, key, await readIt());
 *
 * A value read after `current()` returned `version` is kept under that version: if anything was
 * committed in between, the store's version has already moved past it, so the value is never
 * handed out (the next `current()` drops it). The rule comes from docs/decisions.md, "Answers kept
 * while nothing changed".
 */
export interface KeptLimits<V> {
  /** Most values kept; the oldest go first. */
  entries: number;
  /**
   * A value's weight with its key's (characters, for answers: a key is memory too); values heavier
   * than `maxWeight` are not kept. Default 1.
   */
  weigh?: (value: V, key: string) => number;
  /** Most weight kept in all; the oldest go first. Default: no limit beyond `entries`. */
  maxWeight?: number;
}

export class KeptWhileUnchanged<V> {
  private version: string | undefined;
  private readonly values = new Map<string, V>();
  private weight = 0;

  /**
   * `readVersion` reads the store's version now; `undefined` (or none) means it cannot tell, and
   * nothing is kept unless `current` is given a version read elsewhere.
   */
  constructor(
    private readonly readVersion: (() => string | undefined) | undefined,
    private readonly limits: KeptLimits<V>,
  ) {}

  /**
   * The store's version now: `seen` when the caller read it itself, for the request at hand (on
   * PostgreSQL with the token), else `readVersion()`'s. Values kept under another one are dropped.
   * A `readVersion` that throws counts as one that cannot tell: the caller reads the store as if
   * nothing were kept.
   */
  current(seen?: string): string | undefined {
    const version = seen ?? this.read();
    if (version !== this.version) {
      this.version = version;
      this.values.clear();
      this.weight = 0;
    }
    return version;
  }

  /** The value kept for `key` under `version` (from `current()`, in the same step), if any. */
  get(version: string | undefined, key: string): V | undefined {
    if (version === undefined || version !== this.version) return undefined;
    return this.values.get(key);
  }

  /** Keeps `value`, read after `current()` returned `version`, unless the version has moved since. */
  set(version: string | undefined, key: string, value: V): void {
    if (version === undefined || version !== this.version) return;
    const weight = this.limits.weigh?.(value, key) ?? 1;
    const maxWeight = this.limits.maxWeight ?? Number.POSITIVE_INFINITY;
    if (weight > maxWeight) return;
    this.delete(key);
    this.values.set(key, value);
    this.weight += weight;
    for (const oldest of this.values.keys()) {
      if (this.values.size <= this.limits.entries && this.weight <= maxWeight) break;
      this.delete(oldest);
    }
  }

  /** How many values are kept now (for tests and metrics). */
  get size(): number {
    return this.values.size;
  }

  private delete(key: string): void {
    const value = this.values.get(key);
    if (value === undefined) return;
    this.values.delete(key);
    this.weight -= this.limits.weigh?.(value, key) ?? 1;
  }

  private read(): string | undefined {
    try {
      return this.readVersion?.();
    } catch {
      return undefined;
    }
  }
}
