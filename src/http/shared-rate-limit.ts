/**
 * @fastify/rate-limit over Finch's `RateLimitStore`, so a limit counts the attempts made on every
 * Finch process sharing the database, not N times the limit on N nodes. Without a shared store
 * the plugin keeps its own in-memory counters.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { PasswordHashingBusyError } from '../domain/auth/secrets.js';
import { DatabaseUnavailableError } from '../store/port.js';
import type { RateLimitStore } from '../store/rate-limit-port.js';
import { HttpProblem } from './problem.js';

/**
 * The store class to give @fastify/rate-limit's `store` option. Keys are kept apart per `name` and,
 * for limits configured on a route, per route.
 */
export function sharedRateLimitStore(store: RateLimitStore, now: () => Date, name: string): FastifyRateLimitStoreCtor {
  class Shared implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly scope = name,
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const at = now();
      store.hit(`${this.scope}|${key}`, timeWindow, at).then(
        ({ count, resetAt }) => callback(null, { current: count, ttl: Math.max(0, resetAt - at.getTime()) }),
        // Attempts that cannot be counted are refused, not let through uncounted: a database that is
        // down is said as such (503 database_unavailable with its Retry-After, as everywhere else).
        (error: unknown) =>
          callback(
            error instanceof DatabaseUnavailableError
              ? error
              : new HttpProblem(503, 'rate_limit_unavailable', 'Attempts cannot be counted right now; try again shortly.', { headers: { 'retry-after': '5' } }),
          ),
      );
    }

    /** Called with the route's merged limit settings (typed as route options), which carry the route as `routeInfo`. */
    child(settings: object): FastifyRateLimitStore {
      const route = (settings as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      return new Shared(undefined, `${name}|${String(route?.method ?? '')} ${route?.url ?? ''}`);
    }
  }
  return Shared as unknown as FastifyRateLimitStoreCtor;
}

/**
 * Runs work that hashes or checks a password, answering 503 `code` with `Retry-After` (nothing was
 * checked or changed) when this process already has `MAX_WAITING_HASHES` waiting, rather than making
 * the caller, and everyone behind them, wait longer.
 */
export async function refuseWhenHashingBusy<T>(code: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof PasswordHashingBusyError)) throw error;
    throw new HttpProblem(503, code, error.message, { headers: { 'retry-after': String(error.retryAfterSeconds) } });
  }
}
