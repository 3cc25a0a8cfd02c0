/**
 * The router's loop (src/routing/router.ts) with a stand-in pass: a burst of wake-ups is one
 * pass, a wake-up during a pass makes one more after it, the change feed and the poll wake it, a
 * full batch runs again at once, a database outage is logged once each way, and stop waits for
 * the pass in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingOutcome } from '../../src/domain/routing/route-waiting.js';
import { systemClock } from '../../src/outbox/clock.js';
import { Router, type RouterOptions } from '../../src/routing/router.js';
import { DatabaseUnavailableError } from '../../src/store/port.js';

const NOTHING: RoutingOutcome = { assigned: 0, returned: 0, more: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (_details: object, message: string) => void lines.push({ level, message });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

let router: Router | undefined;

/** A router over `route` (a minute's poll unless given), started. */
function started(options: Partial<RouterOptions> & Pick<RouterOptions, 'route'>): Router {
  router = new Router({ clock: systemClock, logger: logger(), pollMs: 60_000, ...options });
  router.start();
  return router;
}

afterEach(async () => {
  await router?.stop();
  router = undefined;
});

describe('the router loop', () => {
  it('runs a pass at start, one pass per burst of wake-ups, and one more for a wake-up during a pass', async () => {
    let passes = 0;
    let release: (() => void) | undefined;
    const router = started({
      route: async () => {
        passes++;
        if (passes === 3) await new Promise<void>((resolve) => (release = resolve));
        return NOTHING;
      },
    });
    await sleep(100);
    expect(passes).toBe(1);
    for (let i = 0; i < 20; i++) router.wake();
    await sleep(100);
    expect(passes).toBe(2);
    router.wake();
    await sleep(100);
    expect(passes).toBe(3);
    // Woken twice while the third pass runs: one more pass after it, not two.
    router.wake();
    router.wake();
    release!();
    await sleep(100);
    expect(passes).toBe(4);
  });

  it('wakes on the change feed and at each poll, and routes again at once after a full batch', async () => {
    let passes = 0;
    let notify: (() => void) | undefined;
    let unsubscribed = false;
    const outcomes = [NOTHING, { assigned: 50, returned: 0, more: true }, NOTHING];
    started({
      route: async () => outcomes[passes++] ?? NOTHING,
      subscribe: async (onChange) => {
        notify = onChange;
        return async () => void (unsubscribed = true);
      },
    });
    await sleep(100);
    expect(passes).toBe(1);
    notify!();
    await sleep(100);
    // The change's pass routed a full batch: the next ran at once.
    expect(passes).toBe(3);
    await router!.stop();
    expect(unsubscribed).toBe(true);

    let polled = 0;
    started({ route: async () => (polled++, NOTHING), pollMs: 50 });
    await sleep(400);
    expect(polled).toBeGreaterThanOrEqual(4);
  });

  it('logs a database outage once when it goes and once when it is back; other failures each time', async () => {
    const log = logger();
    const failures: unknown[] = [new DatabaseUnavailableError('down', 1), new DatabaseUnavailableError('down', 1), undefined, new Error('bug')];
    let passes = 0;
    started({
      route: async () => {
        const failure = failures[passes++];
        if (failure) throw failure;
        return NOTHING;
      },
      logger: log,
      pollMs: 30,
    });
    await sleep(300);
    expect(passes).toBeGreaterThanOrEqual(4);
    expect(log.lines.map((line) => line.level)).toEqual(['warn', 'info', 'error']);
  });

  it('stops after the pass in flight', async () => {
    let finished = false;
    started({
      route: async () => {
        await sleep(150);
        finished = true;
        return NOTHING;
      },
    });
    await sleep(50);
    await router!.stop();
    expect(finished).toBe(true);
  });
});
