import { describe, expect, it } from 'vitest';
import { scryptSync } from 'node:crypto';
import {
  MAX_WAITING_HASHES,
  PREFIX,
  PasswordHashingBusyError,
  generateSecret,
  hashPassword,
  hashToken,
  needsRehash,
  safeEqual,
  unmatchablePasswordHash,
  verifyPassword,
} from './secrets.js';

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

  it("hashes passwords with scrypt at OWASP's minimum cost (N=2^17, r=8, p=1) and a salt, and verifies them", async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(needsRehash(hash)).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('Correct horse battery staple', hash)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('verifies hashes made at an older cost, and says they need rehashing', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('correct horse battery staple', salt, 32, { N: 16384, r: 8, p: 1 });
    const old = ['scrypt', 16384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifyPassword('correct horse battery staple', old)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });

  it('refuses stored hashes with malformed or unaffordable parameters instead of computing them', async () => {
    const salt = 'MDEyMzQ1Njc4OWFiY2RlZg';
    const hash = 'A'.repeat(43);
    for (const stored of [
      `scrypt$1000$8$1$${salt}$${hash}`,
      `scrypt$1048576$8$1$${salt}$${hash}`,
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `bcrypt$16384$8$1$${salt}$${hash}`,
    ]) {
      expect(await verifyPassword('x', stored), stored).toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
  });

  it('computes at most two hashes at once, so a burst of sign-ins stays within 256 MiB', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password number ${i}`)));
    } finally {
      clearInterval(sampler);
    }
    // Two at 128 MiB each, and some slack for the sampler's timing; four at once would be 512 MiB.
    expect((peak - before) / 1024 / 1024).toBeLessThan(300);
  });
});

describe('the queue of password hashes', () => {
  it('computes 2 at once, lets 16 wait, and refuses the next at once with a Retry-After', async () => {
    // A cheap stored hash (N=2^10): the queue is the same whatever the cost.
    const salt = Buffer.from('salt');
    const cheap = ['scrypt', 1024, 8, 1, salt.toString('base64url'), scryptSync('pw', salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64url')].join('$');
    const attempts = Array.from({ length: 2 + MAX_WAITING_HASHES + 3 }, () => verifyPassword('pw', cheap).then(String, (error: unknown) => error));
    const results = await Promise.all(attempts);
    expect(results.slice(0, 2 + MAX_WAITING_HASHES)).toEqual(Array(2 + MAX_WAITING_HASHES).fill('true'));
    for (const refused of results.slice(2 + MAX_WAITING_HASHES)) {
      expect(refused).toBeInstanceOf(PasswordHashingBusyError);
      expect((refused as PasswordHashingBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    // Room again once they are done.
    expect(await verifyPassword('pw', cheap)).toBe(true);
  });

  it("has a hash no password matches, at today's cost, for checking a password when there is no account", async () => {
    const unmatchable = unmatchablePasswordHash();
    expect(unmatchable).not.toBe(unmatchablePasswordHash());
    expect(needsRehash(unmatchable)).toBe(false);
    expect(await verifyPassword('', unmatchable)).toBe(false);
  });
});
