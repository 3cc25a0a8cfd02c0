import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_MS, nextAttemptAt, retryAfter, retryDelayMs } from './schedule.js';

const middle = () => 0.5;

describe('retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h each time', () => {
    const delays = Array.from({ length: 8 }, (_, index) => retryDelayMs(index + 1, middle));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000]);
  });

  it('varies each delay by up to ±20 %', () => {
    expect(retryDelayMs(2, () => 0)).toBe(240_000);
    expect(retryDelayMs(2, () => 0.999999)).toBeCloseTo(360_000, -1);
  });

  it('gives up once the next attempt would fall more than 3 days after the event', () => {
    const created = '2026-01-01T00:00:00.000Z';
    const start = Date.parse(created);
    let now = new Date(start);
    let attempts = 0;
    const schedule: number[] = [];
    for (;;) {
      attempts++;
      const next = nextAttemptAt(created, attempts, now, middle);
      if (!next) break;
      schedule.push((next.getTime() - start) / 3_600_000);
      now = next;
    }
    expect(Math.max(...schedule)).toBeLessThanOrEqual(GIVE_UP_AFTER_MS / 3_600_000);
    expect(schedule.map((hours) => Math.round(hours * 100) / 100)).toEqual([0, 0.08, 0.58, 2.58, 7.58, 17.58, 27.58, 37.58, 47.58, 57.58, 67.58]);
    expect(attempts).toBe(12);
  });

  it('honours an earliest time (Retry-After) when it is later than the schedule', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(nextAttemptAt(now.toISOString(), 1, now, middle, new Date('2026-01-01T00:10:00.000Z'))?.toISOString()).toBe('2026-01-01T00:10:00.000Z');
  });
});

describe('retryAfter', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(retryAfter('120', now)?.toISOString()).toBe('2026-01-01T00:02:00.000Z');
    expect(retryAfter('Thu, 01 Jan 2026 00:05:00 GMT', now)?.toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(retryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)?.toISOString()).toBe(now.toISOString());
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });
});
