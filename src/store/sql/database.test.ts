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

  it('hides a password or a key passphrase given as a query parameter, keeping the other parameters', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:55432/finch?password=QueryPw123')).toBe('postgres://postgres@127.0.0.1:55432/finch?password=***');
    const shown = redactUrl(
      'postgresql://u:pw@db/finch?sslmode=verify-full&sslkey=/etc/finch/key.pem&sslpassword=KeyPass1&PASSWORD=Upper1&application_name=finch',
    );
    expect(shown).not.toMatch(/pw@|KeyPass1|Upper1/);
    expect(new URL(shown).searchParams.get('sslpassword')).toBe('***');
    expect(new URL(shown).searchParams.get('sslkey')).toBe('/etc/finch/key.pem');
    expect(new URL(shown).searchParams.get('sslmode')).toBe('verify-full');
    expect(new URL(shown).searchParams.get('application_name')).toBe('finch');
  });
});
