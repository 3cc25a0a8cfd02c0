import { describe, expect, it } from 'vitest';
import { canonicalTimeZone } from './time-zone.js';

describe('canonicalTimeZone', () => {
  it.each([
    ['EST5EDT', 'America/New_York'],
    ['cst6cdt', 'America/Chicago'],
    ['MST7MDT', 'America/Denver'],
    ['PST8PDT', 'America/Los_Angeles'],
    ['US/Eastern', 'America/New_York'],
    ['utc', 'UTC'],
    ['europe/berlin', 'Europe/Berlin'],
  ])('stores %s as %s on this runtime (Node 20 and 24 resolve the POSIX-rule zones differently)', (name, stored) => {
    expect(canonicalTimeZone(name)).toBe(stored);
  });

  it('refuses what is not a time zone', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
  });
});
