import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { addFormats } from '../../lib/ajv-formats.js';
import { judgeAgentEmail, normalizeEmail } from './email.js';

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
    for (const input of ['  ＡDMIN@x\u00a0', 'İstanbul@example.com', 'ß@EXAMPLE.com'])
      expect(normalizeEmail(normalizeEmail(input))).toBe(normalizeEmail(input));
  });
});

/** What Fin's contract (`format: 'email'` on agents' emails) accepts, as Finch's validator reads it. */
const asEmail = addFormats(new Ajv()).compile({ type: 'string', format: 'email' });

describe('judgeAgentEmail', () => {
  it.each([
    ['\u00a0ALICE@Example.com\u200b', 'alice@example.com'],
    ['ａlice@example.com', 'alice@example.com'],
    ['\u212aate@example.com', 'kate@example.com'],
    ['ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'bob@example.com'],
    ['\ufb01sh@example.com', 'fish@example.com'],
    ['\u{1d41a}nn@example.com', 'ann@example.com'],
    ['  Zed@Example.com \n', 'zed@example.com'],
    ['ann+support@example.com', 'ann+support@example.com'],
    ["o'brien.j@mail.example.co.uk", "o'brien.j@mail.example.co.uk"],
    ['x@xn--bcher-kva.example', 'x@xn--bcher-kva.example'],
  ])("accepts %j as %j, an address JSON Schema's email format accepts too", (input, email) => {
    expect(judgeAgentEmail(input)).toEqual({ ok: true, email });
    expect(asEmail(email)).toBe(true);
  });

  it.each([
    '',
    '\u200b \u00a0',
    'not an email',
    'alice',
    'alice@',
    '@example.com',
    'alice@@example.com',
    'a@b@example.com',
    'ad min@example.com',
    'alice@localhost',
    'alice@example.123',
    'alice@-example.com',
    'alice@example..com',
    '.alice@example.com',
    'alice.@example.com',
    'al..ice@example.com',
    '"alice"@example.com',
    'alice@[127.0.0.1]',
    'josé@example.com',
    'jose@bücher.example',
    'İnci@example.com',
    'ali\u0000ce@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(64)}.com`,
    `a@${'b.'.repeat(130)}com`,
  ])('refuses %j, saying why', (input) => {
    const verdict = judgeAgentEmail(input);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.detail).toMatch(/\S/);
  });
});
