/**
 * Request validation. Bodies are validated strictly: a number where a string belongs is a 400
 * (spec §6, "wrong types"), never silently coerced. Query strings can only carry strings, so
 * there Ajv may coerce (and turn a repeated parameter into the 400 it deserves).
 */
import { Ajv, type Options } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { addFormats } from '../lib/ajv-formats.js';

const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const queryAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
