import { describe, expect, it } from 'vitest';
import type { Delivered } from '../store/outbox-port.js';
import { SettlementGroup } from './settlement-group.js';

/** A delivery of the event `id` (only the id matters to the group). */
function delivered(id: string): Delivered {
  return { event: { id } as Delivered['event'], attempt: { eventId: id } as Delivered['attempt'], at: '2026-12-01T00:00:00.000Z' };
}

/** Settles nothing until told: records each write it was given, in order, each released on its own. */
function recordingWrite() {
  const writes: { ids: string[]; done: (error?: Error) => void }[] = [];
  let ended = 0;
  const settle = (deliveries: readonly Delivered[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push({ ids: deliveries.map(({ event }) => event.id), done: (error) => (error ? reject(error) : resolve()) });
    });
  return {
    settle,
    get groups() {
      return writes.map(({ ids }) => ids);
    },
    /** Ends the oldest write not yet ended. */
    release(error?: Error) {
      const next = writes[ended++];
      if (!next) throw new Error('no write waits');
      next.done(error);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('settling accepted deliveries together', () => {
  it('settles a lone delivery as soon as Fin accepts it', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 10_000);
    group.sent();
    const settled = group.accepted(delivered('a'));
    await tick();
    expect(write.groups).toEqual([['a']]);
    write.release();
    await settled;
  });

  it('waits for the POSTs still out, then settles every accepted one in one write', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 10_000);
    for (let i = 0; i < 4; i++) group.sent();
    const a = group.accepted(delivered('a'));
    const b = group.accepted(delivered('b'));
    group.answered(); // failed: settled on its own, no longer waited for
    await tick();
    expect(write.groups).toEqual([]);
    const c = group.accepted(delivered('c'));
    await tick();
    expect(write.groups).toEqual([['a', 'b', 'c']]);
    write.release();
    await Promise.all([a, b, c]);
  });

  it('does not hold accepted deliveries back for an answer slower than the wait', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 5);
    group.sent();
    group.sent();
    const a = group.accepted(delivered('a'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await tick();
    expect(write.groups).toEqual([['a']]);
    write.release();
    await a;
    // The slow one, answered later, is settled in a write of its own.
    const b = group.accepted(delivered('b'));
    await tick();
    expect(write.groups).toEqual([['a'], ['b']]);
    write.release();
    await b;
  });

  it('writes each delivery of a group whose write failed on its own; only one that fails again fails', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 10_000);
    group.sent();
    group.sent();
    const a = group.accepted(delivered('a'));
    const b = group.accepted(delivered('b'));
    await tick();
    write.release(new Error('deadlock detected'));
    await tick();
    expect(write.groups).toEqual([['a', 'b'], ['a'], ['b']]);
    write.release();
    write.release(new Error('database unavailable'));
    await a;
    await expect(b).rejects.toThrow('database unavailable');
  });

  it('fails a delivery whose write throws at once, instead of leaving it waiting', async () => {
    const group = new SettlementGroup(() => {
      throw new Error('not connected');
    }, 10_000);
    group.sent();
    await expect(group.accepted(delivered('a'))).rejects.toThrow('not connected');
  });
});
