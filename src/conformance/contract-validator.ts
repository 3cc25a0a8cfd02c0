/**
 * Validates a helpdesk's answers against the contract's own schemas (src/contract), the same ones
 * Finch serializes with. Two readings of each: the documented one (required keys present and
 * typed, the POST-only envelope in place, extra keys allowed since the docs do not forbid them,
 * `tags` may be null as the docs say) decides required checks; the exact one (nothing undeclared,
 * as Finch answers) only finds the extra keys a recommended check lists.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Type, { type TSchema } from 'typebox';
import type { Variant } from '../contract/models.js';
import { operation, outputSchema, type OperationName } from '../contract/operations.js';
import { SuccessEnvelope } from '../contract/problem.js';
import { SyncEvent, TypingEvent } from '../contract/webhooks.js';
import { addFormats } from '../lib/ajv-formats.js';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

/**
 * An RFC 7807 problem as any helpdesk may send it: `title` and a `status` equal to the HTTP
 * status are required (spec §6); `type`, `detail` and `instance` are strings when present, and
 * extension members are allowed, as the RFC allows them.
 */
const LooseProblem = Type.Object({
  type: Type.Optional(Type.String()),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
});
const LooseErrorEnvelope = Type.Object({ data: Type.Null(), error: LooseProblem }, { additionalProperties: false });

const compiled = new Map<string, ValidateFunction>();

function validator(key: string, schema: () => TSchema): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(schema())));
  return validate;
}

/**
 * The body of a successful answer: the bare payload (REST) or `{data, error: null}` (POST-only).
 * `exact`: also refuse keys the contract does not declare (Finch's own answers).
 */
export function successValidator(name: OperationName, variant: Variant, { exact = false } = {}): ValidateFunction {
  return validator(`${name}:${variant}:${exact ? 'exact' : 'documented'}`, () => {
    const payload = outputSchema(operation(name).output, variant);
    const schema = variant === 'post' ? SuccessEnvelope(payload) : payload;
    return exact ? schema : documented(schema);
  });
}

/**
 * A contract schema as the docs state it: without `additionalProperties: false` (the docs do not
 * forbid extra keys) and with `tags` allowed to be null (Get Conversation: "Array of strings or
 * null"; Finch always sends an array).
 */
function documented(schema: TSchema): TSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'additionalProperties' && value === false) continue;
      copy[key] = walk(value);
    }
    const properties = copy.properties as Record<string, Record<string, unknown>> | undefined;
    if (properties?.tags?.type === 'array') properties.tags = { anyOf: [properties.tags, { type: 'null' }] };
    return copy;
  };
  return walk(JSON.parse(JSON.stringify(schema))) as TSchema;
}

/** The keys an answer has that the contract does not declare, as `/0/userType` paths. */
export function undeclaredKeys(name: OperationName, variant: Variant, body: unknown): string[] {
  const validate = successValidator(name, variant, { exact: true });
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .filter((error) => error.keyword === 'additionalProperties')
    .map((error) => `${error.instancePath}/${String(error.params.additionalProperty)}`);
}

/** The body of a failed answer: the problem (REST) or `{data: null, error: problem}` (POST-only). */
export function problemValidator(variant: Variant): ValidateFunction {
  return validator(`problem:${variant}`, () => (variant === 'post' ? LooseErrorEnvelope : LooseProblem));
}

/**
 * A body the helpdesk posted to Fin's webhook endpoint: a sync event (`event_type` "omitted or
 * null", as the docs say; extra keys allowed) or an agent_typing event, whose agent must carry
 * `id`, `user_type`, `name` and `email`.
 */
export function webhookEventValidator(): ValidateFunction {
  return validator('webhook-event', () => Type.Union([documented(SyncEvent), documented(TypingEvent)]));
}

/** Ajv's errors as a short sentence: `/0 has userType, which the contract does not have; …`. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, limit = 3): string {
  if (!errors?.length) return 'does not match the contract';
  const sentences = errors.slice(0, limit).map((error) => {
    const at = error.instancePath || '(the body)';
    if (error.keyword === 'additionalProperties') return `${at} has "${String(error.params.additionalProperty)}", which the contract does not have`;
    if (error.keyword === 'required') return `${at} lacks "${String(error.params.missingProperty)}"`;
    return `${at} ${error.message ?? 'is invalid'}`;
  });
  const more = errors.length > limit ? ` (and ${errors.length - limit} more)` : '';
  return sentences.join('; ') + more;
}
