/**
 * When to try again. A failed sync notification is retried after 5 s, 5 min, 30 min, 2 h, 5 h and
 * then every 10 h, each delay varied by ±20 % so that many events failing together do not retry
 * together; an event still undelivered 3 days after it was written is dead-lettered.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000] as const;
export const GIVE_UP_AFTER_MS = 3 * 24 * 3_600_000;
export const JITTER = 0.2;

/** The delay after the `attempts`-th failed attempt (1 for the first), with jitter from `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: () => number): number {
  const base = RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1]!;
  return Math.round(base * (1 + JITTER * (2 * random() - 1)));
}

/** The time of the next attempt, or null when it would fall past the 3-day limit. */
export function nextAttemptAt(createdAt: string, attempts: number, now: Date, random: () => number, earliest?: Date): Date | null {
  const scheduled = new Date(now.getTime() + retryDelayMs(attempts, random));
  const next = earliest && earliest > scheduled ? earliest : scheduled;
  return next.getTime() - Date.parse(createdAt) > GIVE_UP_AFTER_MS ? null : next;
}

/**
 * A `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Undefined when absent
 * or unreadable, so the regular schedule applies.
 */
export function retryAfter(header: string | null, now: Date): Date | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return new Date(now.getTime() + Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : new Date(Math.max(date, now.getTime()));
}
