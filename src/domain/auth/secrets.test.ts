import { describe, expect, it } from 'vitest';
import { PREFIX, generateSecret, hashPassword, hashToken, safeEqual, verifyPassword } from './secrets.js';

describe('secrets', () => {
  it('generates prefixed secrets with 256 random bits', () => {
    const a = generateSecret(PREFIX.accessToken);
    expect(a).toMatch(/^fat_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret(PREFIX.accessToken)).not.toBe(a);
  });

  it('hashes tokens deterministically and never returns the token', () => {
    expect(hashToken('fat_x')).toBe(hashToken('fat_x'));
    expect(hashToken('fat_x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('hashes passwords with scrypt and a salt, and verifies them', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('Correct horse battery staple', hash)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});
