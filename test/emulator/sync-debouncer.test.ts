/**
 * The emulator's debouncing rule on its own, with a sync that the test holds open: webhooks that
 * arrive before a sync starts join it; those that arrive while it runs join one follow-up sync,
 * which starts only after it; other conversations are not held up.
 */
import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/lib/mutex.js';
import { SyncDebouncer } from '../../src/emulator/sync-debouncer.js';

/** A sync per key under a per-key lock, as the emulator runs them; each run waits for `release`. */
function harness(debounceMs: number) {
  const runs: string[] = [];
  const locks = new Map<string, Mutex>();
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const debouncer = new SyncDebouncer(debounceMs, (key, started) => {
    let lock = locks.get(key);
    if (!lock) locks.set(key, (lock = new Mutex()));
    return lock.run(async () => {
      started();
      runs.push(key);
      await gate;
    });
  });
  return {
    debouncer,
    runs,
    open: () => {
      release();
      gate = new Promise<void>((resolve) => (release = resolve));
    },
  };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SyncDebouncer', () => {
  it('runs one sync for a burst, and one follow-up for everything that arrives while it runs', async () => {
    const { debouncer, runs, open } = harness(20);
    const burst = Array.from({ length: 10 }, () => debouncer.request('conv_1'));
    await tick(60);
    expect(runs).toEqual(['conv_1']);

    // While the first sync runs: five more webhooks, one follow-up sync, after the first ends.
    const during = Array.from({ length: 5 }, () => debouncer.request('conv_1'));
    await tick(60);
    expect(runs).toEqual(['conv_1']);
    open();
    await Promise.all(burst);
    await tick(20);
    expect(runs).toEqual(['conv_1', 'conv_1']);
    open();
    await Promise.all(during);
    await tick(60);
    expect(runs).toEqual(['conv_1', 'conv_1']);
  });

  it('does not hold one conversation up behind another', async () => {
    const { debouncer, runs, open } = harness(10);
    const first = debouncer.request('conv_a');
    const second = debouncer.request('conv_b');
    await tick(40);
    expect(runs.sort()).toEqual(['conv_a', 'conv_b']);
    open();
    await Promise.all([first, second]);
  });
});
