import { describe, expect, it } from 'vitest';
import type { Delivered } from '../store/outbox-port.js';
import { SettlementGroup } from './settlement-group.js';

/** A delivery of the event `id` (only the id matters to the group). */
function delivered(id: string): Delivered {
  return { event: { id } as Delivered['event'], attempt: { eventId: id } as Delivered['attempt'], at: '2026-12-01T00:00:00.000Z' };
}

/** Settles nothing until released; records each group it was given. */
function recordingWrite() {
  const groups: string[][] = [];
  let release: (error?: Error) => void = () => {};
  const settle = (deliveries: readonly Delivered[]) => {
    groups.push(deliveries.map(({ event }) => event.id));
    return new Promise<void>((resolve, reject) => {
      release = (error) => (error ? reject(error) : resolve());
    });
  };
  return { groups, settle, release: (error?: Error) => release(error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('settling accepted deliveries together', () => {
  it('settles a lone delivery as soon as Fin accepts it', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 10_000);
    group.sent();
    const settled = group.accepted(delivered('a'));
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
    expect(write.groups).toEqual([]);
    const c = group.accepted(delivered('c'));
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
    expect(write.groups).toEqual([['a']]);
    write.release();
    await a;
    // The slow one, answered later, is settled in a write of its own.
    const b = group.accepted(delivered('b'));
    expect(write.groups).toEqual([['a'], ['b']]);
    write.release();
    await b;
  });

  it('fails every delivery of a write that failed, and the next group is written anew', async () => {
    const write = recordingWrite();
    const group = new SettlementGroup(write.settle, 10_000);
    group.sent();
    group.sent();
    const a = group.accepted(delivered('a'));
    const b = group.accepted(delivered('b'));
    write.release(new Error('database unavailable'));
    await expect(a).rejects.toThrow('database unavailable');
    await expect(b).rejects.toThrow('database unavailable');
    group.sent();
    const c = group.accepted(delivered('c'));
    await tick();
    expect(write.groups).toEqual([['a', 'b'], ['c']]);
    write.release();
    await c;
  });
});
