import { describe, expect, it } from 'vitest';
import { FinError } from './errors.js';
import { ATTRIBUTE_LIMITS, checkAttributes, initialAttributes, mergeAttributes, sameJson } from './attributes.js';

describe('mergeAttributes', () => {
  it('merges key by key, removes keys sent as null, and keeps the rest', () => {
    expect(mergeAttributes({ plan: 'pro', seats: 3, region: 'eu' }, { seats: null, vip: true, plan: 'team' })).toEqual({
      plan: 'team',
      region: 'eu',
      vip: true,
    });
  });

  it('leaves attributes unchanged when the field is absent, and clears them when it is null', () => {
    expect(mergeAttributes({ a: 1 }, undefined)).toBeUndefined();
    expect(mergeAttributes({ a: 1 }, null)).toEqual({});
  });

  it('replaces nested values whole instead of merging them', () => {
    expect(mergeAttributes({ address: { city: 'Paris', zip: '75001' } }, { address: { city: 'Lyon' } })).toEqual({ address: { city: 'Lyon' } });
  });

  it('keeps __proto__ an ordinary key that never reaches the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const merged = mergeAttributes({}, patch)!;
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  it('drops null values from initial attributes', () => {
    expect(initialAttributes({ a: 1, b: null })).toEqual({ a: 1 });
    expect(initialAttributes(null)).toEqual({});
  });
});

describe('sameJson', () => {
  it('compares JSON values structurally, ignoring key order', () => {
    expect(sameJson({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ 0: 'x' }, ['x'])).toBe(false);
  });
});

describe('attribute limits', () => {
  /** The pointer of the 422 `checkAttributes` throws, or undefined when it accepts. */
  function refusal(attributes: Record<string, unknown>, pointer = '/attributes'): string | undefined {
    try {
      checkAttributes(attributes, pointer);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(FinError);
      expect(error).toMatchObject({ kind: 'unprocessable', code: 'attribute_limit_exceeded' });
      return (error as FinError).pointer;
    }
  }
  const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);
  const { keyLength, items, depth, valueSize, keys, totalSize } = ATTRIBUTE_LIMITS;

  it('accepts values at every limit', () => {
    expect(refusal({ ['k'.repeat(keyLength)]: 1, list: Array(items).fill(0), deep: nested(depth), text: 'x'.repeat(valueSize - 2) })).toBeUndefined();
    expect(refusal({ object: Object.fromEntries(Array.from({ length: items }, (_, i) => [`k${i}`, i])) })).toBeUndefined();
  });

  it('refuses one past each limit, pointing at the value (or at the object holding a long key)', () => {
    expect(refusal({ ['k'.repeat(keyLength + 1)]: 1 })).toBe('/attributes');
    expect(refusal({ a: { ['k'.repeat(keyLength + 1)]: 1 } })).toBe('/attributes/a');
    expect(refusal({ 'a/b': Array(items + 1).fill(0) }, '/user/attributes')).toBe('/user/attributes/a~1b');
    expect(refusal({ a: [{ b: Object.fromEntries(Array.from({ length: items + 1 }, (_, i) => [`k${i}`, i])) }] })).toBe('/attributes/a/0/b');
    expect(refusal({ deep: nested(depth + 1) })).toBe(`/attributes/deep${'/0'.repeat(depth)}`);
    expect(refusal({ text: 'x'.repeat(valueSize - 1) })).toBe('/attributes/text');
    const fifth = 'x'.repeat(Math.ceil(totalSize / 5));
    expect(refusal({ a: fifth, b: fifth, c: fifth, d: fifth, e: fifth })).toBe('/attributes');
    expect(refusal(Object.fromEntries(Array.from({ length: keys + 1 }, (_, i) => [`k${i}`, 1])))).toBe('/attributes');
  });

  it('refuses a 520,000-element array without walking it', () => {
    const started = performance.now();
    expect(refusal({ big: Array(520_000).fill(0) })).toBe('/attributes/big');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('checks the merged attributes too, so repeated merges cannot grow them past the limits', () => {
    const fifth = 'x'.repeat(Math.ceil(totalSize / 5));
    let current = {};
    for (const key of ['a', 'b', 'c', 'd']) current = mergeAttributes(current, { [key]: fifth })!;
    expect(() => mergeAttributes(current, { e: fifth }, '/user/attributes')).toThrow(
      expect.objectContaining({ code: 'attribute_limit_exceeded', pointer: '/user/attributes' }),
    );
    // Removing keys is always possible.
    expect(mergeAttributes(current, { a: null })).not.toHaveProperty('a');
  });
});
