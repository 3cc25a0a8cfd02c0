/**
 * Request validation. Bodies are validated strictly: a number where a string belongs is a 400
 * (spec §6, "wrong types"), never silently coerced. Query strings (and path parameters) can only
 * carry strings, so there Ajv may coerce (and turn a repeated parameter into the 400 it deserves);
 * a number there must be written in decimal digits first, since Ajv alone turns `0x10` into 16,
 * `1e1`, ` 10` and `10.0` into 10 and `Infinity` into a number (docs/decisions.md, "Numbers in a
 * query string are decimal digits").
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
  const numbers = httpPart === 'body' ? new Map<string, NumberField>() : numberFields(schema);
  let all: ValidateFunction | undefined;
  const validate = ((data: unknown, context?: object) => {
    const notDecimal = numbers.size > 0 ? nonDecimal(data, numbers) : [];
    if (notDecimal.length === 0 && first(data, context as never)) return true;
    validate.errors = notDecimal.length > 0 ? notDecimal.slice(0, 1) : first.errors;
    if (countValues(data, LIST_ALL_ERRORS_UP_TO) <= LIST_ALL_ERRORS_UP_TO) {
      all ??= pair.all.compile(schema);
      // Ajv reads the non-decimal numbers as numbers: their own errors come first, then Ajv's for the rest.
      const listed = all(data, context as never) ? [] : (all.errors ?? []);
      const refused = new Set(notDecimal.map((error) => error.instancePath.split('/')[1]));
      const every = [...notDecimal, ...listed.filter((error) => !refused.has(error.instancePath.split('/')[1]))];
      // Should the second pass find nothing (the first coerced what it saw), the first pass's error stands.
      if (every.length > 0) validate.errors = every;
    }
    return false;
  }) as ValidateFunction;
  // Fastify passes the parent (so that Ajv may coerce a root value) only to functions that have this.
  validate.schemaEnv = first.schemaEnv;
  return validate as ReturnType<FastifySchemaCompiler<object>>;
};

type NumberKind = 'integer' | 'number';

/** A parameter that holds a number: which kind, whether it is a list (repeated), whether it may be null (sent empty). */
interface NumberField {
  kind: NumberKind;
  list: boolean;
  nullable: boolean;
}

/** How a number may be written in a query string: optional minus, decimal digits, for `number` a decimal point and digits. */
const DECIMAL: Record<NumberKind, RegExp> = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ };

/**
 * The top-level properties of an object schema that hold a number, by name: typed `integer` or
 * `number` (alone, in a type list such as nullable's `['integer', 'null']`, or in a branch of an
 * `anyOf`/`oneOf`), or an array of such, and no string. `number` when any branch takes fractions.
 */
function numberFields(schema: unknown): Map<string, NumberField> {
  const fields = new Map<string, NumberField>();
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const nodes = branchesOf(property);
    const types = new Set(nodes.flatMap(typesOf));
    const itemTypes = new Set(nodes.flatMap((node) => branchesOf(node.items)).flatMap(typesOf));
    const kinds = [...types, ...itemTypes].filter((type): type is NumberKind => type === 'integer' || type === 'number');
    // A parameter that may also be a string ('first' or a page number) is the string's when not decimal.
    if (kinds.length === 0 || types.has('string')) continue;
    fields.set(name, { kind: kinds.includes('number') ? 'number' : 'integer', list: types.has('array'), nullable: types.has('null') });
  }
  return fields;
}

interface SchemaNode {
  type?: unknown;
  items?: unknown;
  anyOf?: unknown[];
  oneOf?: unknown[];
  const?: unknown;
  enum?: unknown[];
}

/** A schema and its `anyOf`/`oneOf` branches, nested ones too (a few levels), as one list. */
function branchesOf(schema: unknown, depth = 0): SchemaNode[] {
  if (typeof schema !== 'object' || schema === null || depth > 4) return [];
  const node = schema as SchemaNode;
  return [node, ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap((branch) => branchesOf(branch, depth + 1))];
}

/** The types one schema node takes: its type or type list, and `string` for a string constant or enum. */
function typesOf(node: SchemaNode): string[] {
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((type): type is string => typeof type === 'string');
  const stringValue = typeof node.const === 'string' || node.enum?.some((value) => typeof value === 'string');
  return stringValue ? [...types, 'string'] : types;
}

/**
 * An error for each of `numbers` in `data` sent as a string not written in decimal digits (read
 * before Ajv coerces it), at the parameter, or at the item of a repeated one.
 */
function nonDecimal(data: unknown, numbers: ReadonlyMap<string, NumberField>): ErrorObject[] {
  if (typeof data !== 'object' || data === null) return [];
  const errors: ErrorObject[] = [];
  for (const [name, { kind, list, nullable }] of numbers) {
    const value = (data as Record<string, unknown>)[name];
    const items = Array.isArray(value) ? value.entries() : [[undefined, value] as const].values();
    for (const [index, item] of items) {
      // Empty is how a query string says null: Ajv's to judge when null is allowed.
      if (typeof item !== 'string' || DECIMAL[kind].test(item) || (nullable && item === '')) continue;
      errors.push({
        // A repeated parameter that is not a list is wrong as a whole (Ajv says so too).
        instancePath: index === undefined || !list ? `/${name}` : `/${name}/${index}`,
        schemaPath: `#/properties/${name}`,
        keyword: 'pattern',
        params: { pattern: DECIMAL[kind].source },
        message: kind === 'integer' ? 'must be a whole number in decimal digits' : 'must be a number in decimal digits',
      });
      break;
    }
  }
  return errors;
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
