import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { validatorCompiler } from './validation.js';

const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  ratio: Type.Optional(Type.Number()),
  ids: Type.Optional(Type.Array(Type.Integer())),
  name: Type.Optional(Type.String()),
  since: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  page: Type.Optional(Type.Union([Type.Literal('first'), Type.Integer({ minimum: 1 })])),
});

function validate(httpPart: string, data: Record<string, unknown>) {
  const check = validatorCompiler({ schema: Query, httpPart, method: 'GET', url: '/' }) as unknown as {
    (value: unknown): boolean;
    errors?: { instancePath: string; message?: string }[] | null;
  };
  const ok = check(data);
  return { ok, data, errors: check.errors };
}

describe('validatorCompiler: numbers in a query string', () => {
  it('takes whole numbers and numbers written in decimal digits, and coerces them', () => {
    for (const [field, raw, value] of [
      ['limit', '10', 10],
      ['limit', '010', 10],
      ['limit', '200', 200],
      ['ratio', '2.5', 2.5],
      ['ratio', '-3', -3],
      ['ratio', '0', 0],
    ] as const) {
      const result = validate('querystring', { [field]: raw });
      expect(result.ok, `${field}=${raw}`).toBe(true);
      expect(result.data[field], `${field}=${raw}`).toBe(value);
    }
    expect(validate('querystring', { ids: ['1', '22'] }).data.ids).toEqual([1, 22]);
  });

  it('refuses what Ajv alone would turn into a number: hex, binary, octal, exponents, signs, blanks, Infinity', () => {
    const cases: [string, string][] = [
      ['limit', '0x10'],
      ['limit', '0b11'],
      ['limit', '0o7'],
      ['limit', '1e1'],
      ['limit', '+10'],
      ['limit', ' 10'],
      ['limit', '10 '],
      ['limit', '\t5'],
      ['limit', '10.0'],
      ['limit', '1_0'],
      ['limit', ''],
      ['ratio', 'Infinity'],
      ['ratio', '-Infinity'],
      ['ratio', '.5'],
      ['ratio', '5.'],
      ['ratio', '1e3'],
      ['ratio', '0x1'],
      ['ratio', 'NaN'],
    ];
    for (const [field, raw] of cases) {
      const result = validate('querystring', { [field]: raw });
      expect(result.ok, `${field}=${JSON.stringify(raw)}`).toBe(false);
      expect(result.errors?.[0]?.instancePath, `${field}=${JSON.stringify(raw)}`).toBe(`/${field}`);
      expect(result.errors?.[0]?.message, `${field}=${JSON.stringify(raw)}`).toMatch(/decimal digits/);
    }
    const list = validate('querystring', { ids: ['1', '0x2'] });
    expect(list.ok).toBe(false);
    expect(list.errors?.[0]?.instancePath).toBe('/ids/1');
  });

  it('finds numbers in type lists and unions (nullable), and leaves a parameter that may also be a string to Ajv', () => {
    expect(validate('querystring', { since: '0x10' }).ok).toBe(false);
    const since = validate('querystring', { since: '12' });
    expect(since.ok).toBe(true);
    expect(since.data.since).toBe(12);
    // 'first' or a page number: a string that is not decimal is the string's to judge (here: not 'first').
    expect(validate('querystring', { page: 'first' }).ok).toBe(true);
    expect(validate('querystring', { page: 'last' }).ok).toBe(false);
    expect(validate('querystring', { page: '12' }).data.page).toBe(12);
    // Empty is null in a query string: a nullable number takes it, as Ajv did before.
    expect(validate('querystring', { since: '' }).ok).toBe(true);
    expect(validate('querystring', { limit: '' }).ok).toBe(false);
  });

  it('points at the parameter when a single-value one is repeated, at the item in a list', () => {
    const repeated = validate('querystring', { limit: ['1', '0x10'] });
    expect(repeated.ok).toBe(false);
    expect(repeated.errors?.map((error) => error.instancePath)).toEqual(['/limit']);
    expect(validate('querystring', { ids: ['1', '2', '0x3'] }).errors?.[0]?.instancePath).toBe('/ids/2');
  });

  it('lists every error of a small refused request, the non-decimal number first', () => {
    const result = validate('querystring', { limit: '0x10', ratio: 'x', name: 'ok' });
    expect(result.ok).toBe(false);
    expect(result.errors?.map((error) => error.instancePath)).toEqual(['/limit', '/ratio']);
    expect(result.errors?.[0]?.message).toMatch(/decimal digits/);
  });

  it('applies to path parameters too, and leaves strings and bodies alone', () => {
    expect(validate('params', { limit: '0x10' }).ok).toBe(false);
    expect(validate('querystring', { name: '0x10' }).ok).toBe(true);
    // A body's number is JSON: a string there is a type error, never coerced (spec §6).
    const body = validate('body', { limit: '10' });
    expect(body.ok).toBe(false);
    expect(validate('body', { limit: 16 }).ok).toBe(true);
  });

  it('still checks the range once the digits are decimal', () => {
    expect(validate('querystring', { limit: '0' }).ok).toBe(false);
    expect(validate('querystring', { limit: '201' }).ok).toBe(false);
    expect(validate('querystring', { limit: '-1' }).ok).toBe(false);
  });
});
