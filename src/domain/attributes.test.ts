import { describe, expect, it } from 'vitest';
import { initialAttributes, mergeAttributes, sameJson } from './attributes.js';

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
