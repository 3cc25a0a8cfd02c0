/**
 * Request validation. Bodies are validated strictly: a number where a string belongs is a 400
 * (spec §6, "wrong types"), never silently coerced. Query strings (and path parameters) can only
 * carry strings, so there Ajv may coerce (and turn a repeated parameter into the 400 it deserves);
 * a number there must be written in decimal digits first, since Ajv alone turns `0x10` into 16,
 * `1e1`, ` 10` and `10.0` into 10 and `Infinity` into a number (docs/decisions.md, "Numbers in a
 * query string").
 *
 * A request is first validated stopping at its first error, which is all an accepted request
 * costs. Only a refused request that is small is validated again listing every error: with
 * `allErrors` a 1 MiB body of 520,000 wrong-typed tags made 520,000 errors (3 s of CPU and a 48 MB
 * answer), so a large refused request is told its first error only.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { addFormats } from '../lib/ajv-formats.js';

const common: Options = { useDefaults: true, removeAdditional: false, strict: false };

const ajvs = {
  body: { first: addFormats(new Ajv({ ...common, coerceTypes: false })), all: addFormats(new Ajv({ ...common, coerceTypes: false, allErrors: true })) },
  query: { first: addFormats(new Ajv({ ...common, coerceTypes: 'array' })), all: addFormats(new Ajv({ ...common, coerceTypes: 'array', allErrors: true })) },
};

/** Refused input with more values than this (strings, numbers, members…) gets its first error only. */
export const LIST_ALL_ERRORS_UP_TO = 1_000;

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const pair = httpPart === 'body' ? ajvs.body : ajvs.query;
  const first = pair.first.compile(schema);
  const numbers = httpPart === 'body' ? new Map<string, NumberKind>() : numberFields(schema);
  let all: ValidateFunction | undefined;
  const validate = ((data: unknown, context?: object) => {
    const notDecimal = numbers.size > 0 ? firstNonDecimal(data, numbers) : undefined;
    if (notDecimal) {
      validate.errors = [notDecimal];
      return false;
    }
    if (first(data, context as never)) return true;
    validate.errors = first.errors;
    if (countValues(data, LIST_ALL_ERRORS_UP_TO) <= LIST_ALL_ERRORS_UP_TO) {
      all ??= pair.all.compile(schema);
      if (!all(data, context as never)) validate.errors = all.errors;
    }
    return false;
  }) as ValidateFunction;
  // Fastify passes the parent (so that Ajv may coerce a root value) only to functions that have this.
  validate.schemaEnv = first.schemaEnv;
  return validate as ReturnType<FastifySchemaCompiler<object>>;
};

type NumberKind = 'integer' | 'number';

/** How a number may be written in a query string: optional minus, decimal digits, for `number` a decimal point and digits. */
const DECIMAL: Record<NumberKind, RegExp> = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ };

/** The top-level properties of an object schema that hold a number, or an array of numbers, by name. */
function numberFields(schema: unknown): Map<string, NumberKind> {
  const fields = new Map<string, NumberKind>();
  const properties = (schema as { properties?: Record<string, { type?: unknown; items?: { type?: unknown } }> }).properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const type = property.type === 'array' ? property.items?.type : property.type;
    if (type === 'integer' || type === 'number') fields.set(name, type);
  }
  return fields;
}

/** The error for the first of `numbers` in `data` that is a string not written in decimal digits (before Ajv coerces it), if any. */
function firstNonDecimal(data: unknown, numbers: ReadonlyMap<string, NumberKind>): ErrorObject | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [name, kind] of numbers) {
    const value = (data as Record<string, unknown>)[name];
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && !DECIMAL[kind].test(item)) {
        return {
          instancePath: `/${name}`,
          schemaPath: `#/properties/${name}/type`,
          keyword: 'pattern',
          params: { pattern: DECIMAL[kind].source },
          message: kind === 'integer' ? 'must be a whole number in decimal digits' : 'must be a number in decimal digits',
        };
      }
    }
  }
  return undefined;
}

/** How many values `data` holds, counting stopped once past `limit`. Iterative: nesting cannot exhaust the stack. */
function countValues(data: unknown, limit: number): number {
  let count = 0;
  const pending: unknown[] = [data];
  while (pending.length > 0 && count <= limit) {
    const item = pending.pop();
    count++;
    if (typeof item !== 'object' || item === null) continue;
    const children = Array.isArray(item) ? item : Object.values(item);
    if (children.length > limit) return limit + 1;
    pending.push(...children);
  }
  return count;
}
