/**
 * Counters behind Finch's rate limits (sign-in, password checks, the token endpoint). On SQL they
 * live in the database, so every Finch process on it counts against one limit; otherwise in
 * memory.
 */
export interface RateLimitHit {
  /** Attempts counted in the current window, this one included. */
  count: number;
  /** When the window ends, in milliseconds since the epoch. */
  resetAt: number;
}

export interface RateLimitStore {
  /**
   * Counts one attempt against `key` atomically (concurrent attempts from any process each get
   * their own count). A window starts at the first attempt after the previous one ended and lasts
   * `windowMs`. Expired windows are deleted as time passes, so the store does not grow without
   * bound.
   */
  hit(key: string, windowMs: number, now: Date): Promise<RateLimitHit>;
}
