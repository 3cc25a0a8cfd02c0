import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  it.each([
    ['padded with spaces', '   admin@example.com  '],
    ['a tab and a line break', '\tadmin@example.com\r\n'],
    ['upper case', 'ADMIN@Example.COM'],
    ['no-break and ideographic spaces', '\u00a0admin@example.com\u3000'],
    ['Unicode spaces (em, thin, narrow no-break, line separator)', '\u2003\u2009admin@example.com\u202f\u2028'],
    ['zero-width characters and a BOM', '\ufeff\u200badmin@exa\u200dmple.com\u2060'],
    ['a soft hyphen inside', 'ad\u00admin@example.com'],
    ['fullwidth letters', 'ａｄｍｉｎ@ｅｘａｍｐｌｅ.ｃｏｍ'],
  ])('gives one spelling for an address %s', (_label, input) => {
    expect(normalizeEmail(input)).toBe('admin@example.com');
  });

  it('keeps what tells addresses apart', () => {
    expect(normalizeEmail('ann+support@example.com')).toBe('ann+support@example.com');
    expect(normalizeEmail('josé@example.com')).toBe('josé@example.com');
    expect(normalizeEmail('JOSE\u0301@example.com')).toBe('josé@example.com');
    // Space inside is not trimmed away: such an address matches nobody.
    expect(normalizeEmail('ad min@example.com')).toBe('ad min@example.com');
  });

  it('is idempotent', () => {
    for (const input of ['  ＡDMIN@x\u00a0', 'İstanbul@example.com', 'ß@EXAMPLE.com']) expect(normalizeEmail(normalizeEmail(input))).toBe(normalizeEmail(input));
  });
});
