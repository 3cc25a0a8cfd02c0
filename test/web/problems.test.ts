/**
 * What an agent reads when Finch refuses something (web/src/api/problems.ts): a sentence for every
 * problem code the agent API can answer, found in the server's source, and never an endpoint, a
 * method or a header.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESCRIBED_CODES, OUTSIDE_THE_INBOX, describeProblem } from '../../web/src/api/problems.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('what an agent reads when Finch refuses something', () => {
  /** Every problem code Finch's agent API can answer, from the source (the Fin API's own edge aside). */
  function codesInSource(): Set<string> {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith('.ts') && !full.endsWith('.test.ts')) files.push(full);
      }
    };
    for (const dir of ['src/http', 'src/domain', 'src/store']) walk(path.join(ROOT, dir));
    const codes = new Set<string>();
    const patterns = [
      /HttpProblem\(\s*\d+,\s*'([a-z_]+)'/g,
      /\bproblem\(\s*\d+,\s*'([a-z_]+)'/g,
      /(?:unprocessable|conflict)\(\s*'([a-z_]+)'/g,
      /new FinError\(\s*'[a-z_]+',\s*'([a-z_]+)'/g,
      /code: '([a-z_]+)'/g,
      /refuseWhenHashingBusy\(\s*'([a-z_]+)'/g,
    ];
    for (const file of files.filter((name) => !/src\/http\/(fin|oauth)\//.test(name))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]!);
      for (const match of text.matchAll(/notFound\(\s*'([a-z_]+)'/g)) codes.add(`${match[1]}_not_found`);
    }
    return codes;
  }

  it('has a sentence for every code an agent can meet', () => {
    const codes = codesInSource();
    expect(codes.size).toBeGreaterThan(30);
    const undescribed = [...codes].filter((code) => !DESCRIBED_CODES.includes(code) && !OUTSIDE_THE_INBOX.includes(code));
    expect(undescribed).toEqual([]);
  });

  it('never shows an agent an endpoint, a method or a header', () => {
    const developerDetail = 'Sign in (POST /api/v1/session) or send a personal API token in X-CSRF-Token.';
    for (const code of [...DESCRIBED_CODES, 'some_future_code']) {
      for (const status of [400, 401, 403, 404, 409, 413, 422, 429, 500, 503]) {
        const text = describeProblem(
          status,
          {
            code,
            detail: code === 'weak_password' ? 'Use at least 12 characters.' : developerDetail,
            errors: [{ pointer: '/title', detail: 'title must NOT have more than 2048 characters' }],
          },
          '30',
        );
        expect(text, `${code} ${status}`).not.toMatch(/\/api\/|\bPOST\b|X-CSRF|personal API token|undefined/);
        expect(text, `${code} ${status}`).not.toMatch(/\b(GET|PUT|PATCH|DELETE)\b|Authorization|Bearer|FINCH_|[{}<>`]|\b[a-z]+_[a-z_]+\b/);
        expect(text).toMatch(/[.!]$/);
      }
    }
  });

  it('spells out validation failures field by field, and keeps a plain detail of an unknown code', () => {
    expect(
      describeProblem(400, { code: 'validation_failed', errors: [{ pointer: '/title', detail: 'title must NOT have more than 2048 characters' }] }, null),
    ).toBe('Title: too long (at most 2,048 characters).');
    // The admin forms' fields, named as the forms label them, with the reason (finding: "A value is not accepted.").
    const invalid = (pointer: string, detail: string) => describeProblem(400, { code: 'validation_failed', errors: [{ pointer, detail }] }, null);
    expect(invalid('/capacity', 'capacity must be <= 1000')).toBe('Capacity: at most 1,000.');
    expect(invalid('/capacity', 'capacity must be >= 0')).toBe('Capacity: at least 0.');
    expect(invalid('/holidays/0', 'holidays/0 must match format "date"')).toBe('Holiday 1: not a date (YYYY-MM-DD).');
    expect(invalid('/week/monday/0/open', 'week/monday/0/open must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"')).toBe(
      'Monday, range 1, opening time: not a time (HH:MM).',
    );
    expect(invalid('/first_reply_minutes', 'first_reply_minutes must be <= 43200')).toBe('First reply target: at most 43,200.');
    expect(invalid('/resolution_minutes', 'resolution_minutes must be integer or null')).toBe('Resolution target: a whole number, or empty.');
    expect(invalid('/time_zone', 'time_zone must NOT have more than 64 characters')).toBe('Time zone: too long (at most 64 characters).');
    expect(invalid('/holidays', 'holidays must NOT have more than 400 items')).toBe('Holidays: too many entries (at most 400).');
    expect(invalid('/mode', 'mode must be equal to one of the allowed values')).toBe('Mode: not one of the choices.');
    expect(
      describeProblem(
        422,
        {
          code: 'unreachable_target',
          detail: 'No day has opening hours, so a first-reply target can never be reached.',
          errors: [{ pointer: '/first_reply_minutes' }],
        },
        null,
      ),
    ).toBe('No day has opening hours, so a first-reply target can never be reached. Add opening hours, remove holidays, or lower the target.');
    expect(describeProblem(409, { code: 'brand_new_rule', detail: 'Someone else edited this reply.' }, null)).toBe(
      'This clashes with a change someone else made. Reload and try again. Details: Someone else edited this reply.',
    );
    expect(describeProblem(503, { code: 'database_unavailable', detail: 'The database is unavailable right now; try again in 2 s.' }, '2')).toBe(
      'Finch is busy or briefly unavailable. Try again in 2 seconds; nothing was lost.',
    );
  });
});
