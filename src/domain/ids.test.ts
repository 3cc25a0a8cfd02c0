import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('is a prefix and a 26-character ULID', () => {
    expect(newId('conv')).toMatch(/^conv_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('increases within the same millisecond and across a clock step back', () => {
    const now = Date.now();
    const ids = [newId('msg', now), newId('msg', now), newId('msg', now), newId('msg', now - 5000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
