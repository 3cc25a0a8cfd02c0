import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isoFromPostgres, redactUrl } from './database.js';

const parse = pg.types.getTypeParser(1184) as (value: string) => Date;

describe('isoFromPostgres', () => {
  it.each([
    ['2025-10-27 14:30:00.123+00', '2025-10-27T14:30:00.123Z'],
    ['2025-10-27 14:30:00.1+00', '2025-10-27T14:30:00.100Z'],
    ['2025-10-27 14:30:00+00', '2025-10-27T14:30:00.000Z'],
    ['2025-10-27 14:30:00.123456+00', '2025-10-27T14:30:00.123Z'],
    ['2025-10-27 16:30:00.5+02', '2025-10-27T14:30:00.500Z'],
  ])('reads %s as %s', (value, iso) => {
    expect(isoFromPostgres(value, parse)).toBe(iso);
  });
});

describe('redactUrl', () => {
  it('hides the password', () => {
    expect(redactUrl('postgres://finch:s3cret@db:5432/finch')).toBe('postgres://finch:***@db:5432/finch');
    expect(redactUrl('postgres://db/finch')).toBe('postgres://db/finch');
  });
});
