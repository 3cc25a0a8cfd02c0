import { describe, expect, it } from 'vitest';
import { CoalescedLookup } from './coalesced-lookup.js';

const LIMITS = { maxKeys: 3, maxWaitingKeys: 1_000, stallMs: 60_000, overloaded: () => new Error('too many waiting') };

/** A store whose statements the test answers by hand, recording the keys each one read. */
function handAnswered(limits: Partial<typeof LIMITS> = {}) {
  const statements: { keys: string[]; answer: (found: Record<string, number>) => void; fail: (error: Error) => void }[] = [];
  const lookup = new CoalescedLookup<number>(
    (keys) =>
      new Promise((resolve, reject) => {
        statements.push({ keys, answer: (found) => resolve(new Map(Object.entries(found))), fail: reject });
      }),
    { ...LIMITS, ...limits },
  );
  return { lookup, statements };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedLookup', () => {
  it('sends a lookup at once when nothing is out', async () => {
    const { lookup, statements } = handAnswered();
    const found = lookup.find('a');
    expect(statements.map((s) => s.keys)).toEqual([['a']]);
    statements[0]!.answer({ a: 1 });
    expect(await found).toBe(1);
  });

  it('answers undefined for a key the statement did not find', async () => {
    const { lookup, statements } = handAnswered();
    const found = lookup.find('missing');
    statements[0]!.answer({});
    expect(await found).toBeUndefined();
  });

  it('never joins a statement already out: lookups that arrive meanwhile share the next one, each key once', async () => {
    const { lookup, statements } = handAnswered();
    const first = lookup.find('a');
    // These arrive while the first statement is out: it may have read before they began.
    const later = [lookup.find('a'), lookup.find('b'), lookup.find('a')];
    expect(statements).toHaveLength(1);
    statements[0]!.answer({ a: 1 });
    expect(await first).toBe(1);
    await tick();
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['a', 'b']]);
    // The second statement's answer (a revoked in between, say: found no more) is theirs.
    statements[1]!.answer({ b: 2 });
    expect(await Promise.all(later)).toEqual([undefined, 2, undefined]);
    await tick();
    expect(statements).toHaveLength(2);
  });

  it('sends at most maxKeys keys in one statement, the rest in the next', async () => {
    const { lookup, statements } = handAnswered();
    const first = lookup.find('x');
    const rest = ['a', 'b', 'c', 'd', 'e'].map((key) => lookup.find(key));
    statements[0]!.answer({ x: 0 });
    await first;
    await tick();
    expect(statements.map((s) => s.keys)).toEqual([['x'], ['a', 'b', 'c']]);
    statements[1]!.answer({ a: 1, b: 2, c: 3 });
    await tick();
    expect(statements.map((s) => s.keys)).toEqual([['x'], ['a', 'b', 'c'], ['d', 'e']]);
    statements[2]!.answer({ d: 4, e: 5 });
    expect(await Promise.all(rest)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails every lookup that shared a failed statement, and goes on with a new one', async () => {
    const { lookup, statements } = handAnswered();
    const first = lookup.find('x');
    const shared = [lookup.find('a'), lookup.find('b')];
    statements[0]!.answer({ x: 0 });
    await first;
    await tick();
    statements[1]!.fail(new Error('connection lost'));
    for (const lookupOf of shared) await expect(lookupOf).rejects.toThrow('connection lost');
    const after = lookup.find('a');
    await tick();
    expect(statements).toHaveLength(3);
    statements[2]!.answer({ a: 1 });
    expect(await after).toBe(1);
  });

  it('fails the lookups of a read that throws before it returns a promise', async () => {
    let calls = 0;
    const lookup = new CoalescedLookup<number>(() => {
      calls++;
      if (calls === 1) throw new Error('not connected');
      return Promise.resolve(new Map([['a', 1]]));
    }, LIMITS);
    await expect(lookup.find('a')).rejects.toThrow('not connected');
    expect(await lookup.find('a')).toBe(1);
  });

  it('lets the lookups behind a statement out longer than stallMs go in one of their own', async () => {
    const { lookup, statements } = handAnswered({ stallMs: 20 });
    const stalled = lookup.find('a');
    const behind = lookup.find('b');
    expect(statements).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['b']]);
    statements[1]!.answer({ b: 2 });
    expect(await behind).toBe(2);
    await tick();
    // With nothing waiting, a new lookup goes at once; the stalled statement still answers its own.
    const fresh = lookup.find('c');
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['b'], ['c']]);
    statements[0]!.answer({ a: 1 });
    expect(await stalled).toBe(1);
    statements[2]!.answer({ c: 3 });
    expect(await fresh).toBe(3);
    await tick();
    expect(statements).toHaveLength(3);
  });

  it('goes on as usual when a stalled statement comes back after nothing was left waiting', async () => {
    const { lookup, statements } = handAnswered({ stallMs: 20 });
    const stalled = lookup.find('a');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(statements).toHaveLength(1);
    statements[0]!.answer({ a: 1 });
    expect(await stalled).toBe(1);
    await tick();
    const next = lookup.find('a');
    expect(statements).toHaveLength(2);
    statements[1]!.answer({});
    expect(await next).toBeUndefined();
  });

  it('refuses a new key at once past maxWaitingKeys, while a key already waiting may still join', async () => {
    const { lookup, statements } = handAnswered({ maxWaitingKeys: 2 });
    const first = lookup.find('x');
    const waiting = [lookup.find('a'), lookup.find('b'), lookup.find('a')];
    await expect(lookup.find('c')).rejects.toThrow('too many waiting');
    statements[0]!.answer({ x: 0 });
    await first;
    await tick();
    statements[1]!.answer({ a: 1, b: 2 });
    expect(await Promise.all(waiting)).toEqual([1, 2, 1]);
  });

  it('settles every lookup of a statement whose answer cannot be read', async () => {
    const lookup = new CoalescedLookup<number>(() => Promise.resolve(undefined as unknown as Map<string, number>), LIMITS);
    await expect(lookup.find('a')).rejects.toThrow(TypeError);
  });

  it('refuses limits that are not whole numbers of at least 1', () => {
    for (const maxKeys of [0, -1, 1.5, Number.NaN]) {
      expect(() => new CoalescedLookup(async () => new Map(), { ...LIMITS, maxKeys })).toThrow(RangeError);
    }
    expect(() => new CoalescedLookup(async () => new Map(), { ...LIMITS, maxWaitingKeys: 0 })).toThrow(RangeError);
    for (const stallMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => new CoalescedLookup(async () => new Map(), { ...LIMITS, stallMs })).toThrow(RangeError);
    }
  });
});
