/**
 * A clock that moves only when the test says so: the dispatcher's retry schedule, timeouts and
 * typing expiry, and the scheduled jobs' intervals, run in a test without waiting.
 */
import type { Clock } from '../../src/outbox/clock.js';

interface Timer {
  at: number;
  fire: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private timers = new Set<Timer>();

  constructor(start = '2026-01-05T09:00:00.000Z') {
    this.current = Date.parse(start);
  }

  now = (): Date => new Date(this.current);

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // The listener goes with the sleep: a scheduler sleeps on one signal for its whole life.
      const done = () => {
        cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.setTimer(ms, done);
      signal?.addEventListener('abort', done, { once: true });
    });

  setTimer = (ms: number, callback: () => void): (() => void) => {
    const timer = { at: this.current + ms, fire: callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  };

  /** Moves time forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.current = Math.max(this.current, due.at);
      due.fire();
    }
    this.current = target;
  }

  set(iso: string): void {
    this.advance(Date.parse(iso) - this.current);
  }
}
