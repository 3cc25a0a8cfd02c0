import { describe, expect, it } from 'vitest';
import { KeptWhileUnchanged } from './kept-while-unchanged.js';

/** A store version the test moves by hand. */
function versioned() {
  let version: string | undefined = '1';
  return { read: () => version, move: (to: string | undefined) => void (version = to) };
}

describe('KeptWhileUnchanged', () => {
  it('hands a value back while the version stays, and drops every value when it moves', () => {
    const store = versioned();
    const kept = new KeptWhileUnchanged<string>(store.read, { entries: 10 });
    const v1 = kept.current();
    kept.set(v1, 'a', 'A1');
    kept.set(v1, 'b', 'B1');
    expect(kept.get(kept.current(), 'a')).toBe('A1');
    store.move('2');
    expect(kept.get(kept.current(), 'a')).toBeUndefined();
    expect(kept.size).toBe(0);
    // The version moving back to an old value does not bring old values back.
    store.move('1');
    expect(kept.get(kept.current(), 'b')).toBeUndefined();
  });

  it('refuses a value read under a version that has moved since', () => {
    const store = versioned();
    const kept = new KeptWhileUnchanged<string>(store.read, { entries: 10 });
    const before = kept.current();
    // A commit lands while the value is being read, and another request has seen it.
    store.move('2');
    const after = kept.current();
    kept.set(before, 'a', 'read across the commit');
    expect(kept.get(after, 'a')).toBeUndefined();
    expect(kept.size).toBe(0);
  });

  it('keeps nothing while the version cannot be read', () => {
    const store = versioned();
    store.move(undefined);
    const kept = new KeptWhileUnchanged<string>(store.read, { entries: 10 });
    const version = kept.current();
    kept.set(version, 'a', 'A');
    expect(kept.get(version, 'a')).toBeUndefined();
    expect(kept.size).toBe(0);
  });

  it('keeps nothing, and lets the caller read the store, while reading the version throws', () => {
    let fails = true;
    const kept = new KeptWhileUnchanged<string>(
      () => {
        if (fails) throw new Error('store unreachable');
        return '1';
      },
      { entries: 10 },
    );
    const version = kept.current();
    expect(version).toBeUndefined();
    kept.set(version, 'a', 'A');
    expect(kept.size).toBe(0);
    fails = false;
    const later = kept.current();
    kept.set(later, 'a', 'A');
    expect(kept.get(kept.current(), 'a')).toBe('A');
  });

  it('weighs a key with its value', () => {
    const store = versioned();
    const kept = new KeptWhileUnchanged<string>(store.read, { entries: 10, weigh: (value, key) => value.length + key.length, maxWeight: 10 });
    const version = kept.current();
    kept.set(version, 'aaaaaa', 'AAAAA');
    expect(kept.size).toBe(0);
    kept.set(version, 'aaaaa', 'AAAAA');
    expect(kept.get(version, 'aaaaa')).toBe('AAAAA');
  });

  it('drops the oldest past its entries and its weight, and never keeps what weighs more than all', () => {
    const store = versioned();
    const kept = new KeptWhileUnchanged<string>(store.read, { entries: 3, weigh: (value) => value.length, maxWeight: 10 });
    const version = kept.current();
    for (const key of ['a', 'b', 'c', 'd']) kept.set(version, key, key.repeat(2));
    expect([...'abcd'].map((key) => kept.get(version, key))).toEqual([undefined, 'bb', 'cc', 'dd']);
    kept.set(version, 'e', 'eeeeeeee');
    // 8 + 2 + 2 > 10: the oldest two go.
    expect([...'bcde'].map((key) => kept.get(version, key))).toEqual([undefined, undefined, 'dd', 'eeeeeeee']);
    kept.set(version, 'f', 'f'.repeat(11));
    expect(kept.get(version, 'f')).toBeUndefined();
    expect(kept.get(version, 'e')).toBe('eeeeeeee');
    // A key set again replaces its value and its weight.
    kept.set(version, 'd', 'd');
    kept.set(version, 'g', 'g');
    expect([...'deg'].map((key) => kept.get(version, key))).toEqual(['d', 'eeeeeeee', 'g']);
  });
});
