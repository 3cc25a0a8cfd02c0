import { describe, expect, it } from 'vitest';
import { postgresTooOld } from './postgres-release.js';

describe('postgresTooOld', () => {
  it('accepts PostgreSQL 13 and later', () => {
    for (const version of [130000, 130021, 150004, 180001]) expect(postgresTooOld(version)).toBeUndefined();
  });

  it('refuses older releases and an unreadable version, naming the release', () => {
    expect(postgresTooOld(120019)).toBe('Finch needs PostgreSQL 13 or later; this server is release 12 (server_version_num 120019)');
    expect(postgresTooOld(96024)).toMatch(/release 9 /);
    expect(postgresTooOld(Number.NaN)).toMatch(/13 or later/);
  });
});
