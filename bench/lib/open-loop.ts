/**
 * Open-loop load: request i is due at start + i / rate whatever happened to the earlier ones, so a
 * slow server cannot slow the load down and hide its own latency (closed-loop load, as in load.ts,
 * would send less while answers are late). Timers are coarse, so each tick sends everything that
 * has come due; how late requests went out is measured and reported, since a late send is load
 * that was not offered on time.
 */
import { summarizeLatencies, type LatencySummary } from './stats.js';

export interface OpenLoopOptions {
  ratePerSecond: number;
  count: number;
  /** Starts request `index`; must not wait for its answer. */
  send: (index: number) => void;
}

export interface OpenLoopResult {
  /** ms from the first request's due time to the last's actual send. */
  spanMs: number;
  /** How late requests were sent after their due time (ms). */
  lag: LatencySummary;
}

export function runOpenLoop({ ratePerSecond, count, send }: OpenLoopOptions): Promise<OpenLoopResult> {
  const intervalMs = 1000 / ratePerSecond;
  const lags: number[] = [];
  const start = performance.now();
  let next = 0;
  return new Promise((resolve) => {
    const tick = () => {
      let now = performance.now();
      while (next < count && start + next * intervalMs <= now) {
        lags.push(now - (start + next * intervalMs));
        send(next++);
        now = performance.now();
      }
      if (next < count) setTimeout(tick, Math.max(0, start + next * intervalMs - now));
      else resolve({ spanMs: now - start, lag: summarizeLatencies(lags) });
    };
    tick();
  });
}
