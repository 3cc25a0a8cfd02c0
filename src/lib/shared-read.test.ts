import { describe, expect, it } from 'vitest';
import { SharedRead } from './shared-read.js';

describe('SharedRead', () => {
  it('reads once for every caller of one turn, and only after they asked', async () => {
    let value = 1;
    let reads = 0;
    const shared = new SharedRead(() => {
      reads++;
      return value;
    });
    const first = shared.get();
    const second = shared.get();
    // A change made after both asked (but before the read ran) is what they see: the read is later.
    value = 2;
    expect(reads).toBe(0);
    expect(await Promise.all([first, second])).toEqual([2, 2]);
    expect(reads).toBe(1);
  });

  it('never hands a caller a read made before it asked', async () => {
    let value = 1;
    const shared = new SharedRead(() => value);
    expect(await shared.get()).toBe(1);
    value = 2;
    expect(await shared.get()).toBe(2);
  });

  it('gives callers that ask while the read is being answered the next read', async () => {
    let reads = 0;
    const shared = new SharedRead(() => ++reads);
    const later: Promise<number>[] = [];
    const first = shared.get().then((value) => {
      later.push(shared.get());
      return value;
    });
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([2]);
  });

  it('fails the callers that shared a read that threw, and reads again for the next', async () => {
    let fail = true;
    const shared = new SharedRead(() => {
      if (fail) throw new Error('database is locked');
      return 'v1';
    });
    const both = [shared.get(), shared.get()];
    for (const caller of both) await expect(caller).rejects.toThrow('database is locked');
    fail = false;
    expect(await shared.get()).toBe('v1');
  });
});
