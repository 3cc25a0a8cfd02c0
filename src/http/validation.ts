/**
 * Request validation. Bodies are validated strictly: a number where a string belongs is a 400
 * (spec §6, "wrong types"), never silently coerced. Query strings can only carry strings, so
 * there Ajv may coerce (and turn a repeated parameter into the 400 it deserves).
 *
 * A request is first validated stopping at its first error, which is all an accepted request
 * costs. Only a refused request that is small is validated again listing every error: with
 * `allErrors` a 1 MiB body of 520,000 wrong-typed tags made 520,000 errors (3 s of CPU and a 48 MB
 * answer), so a large refused request is told its first error only.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';
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
  let all: ValidateFunction | undefined;
  const validate = ((data: unknown, context?: object) => {
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
