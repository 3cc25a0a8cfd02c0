/**
 * Validates a helpdesk's answers against the contract's own schemas (src/contract), the same ones
 * Finch serializes with, so a helpdesk passes the checker exactly when its shapes are the
 * contract's: keys spelled as documented, nothing undeclared, the POST-only envelope in place.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Type, { type TSchema } from 'typebox';
import type { Variant } from '../contract/models.js';
import { operation, outputSchema, type OperationName } from '../contract/operations.js';
import { SuccessEnvelope } from '../contract/problem.js';
import { WebhookEvent } from '../contract/webhooks.js';
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

/** The body of a successful answer: the bare payload (REST) or `{data, error: null}` (POST-only). */
export function successValidator(name: OperationName, variant: Variant): ValidateFunction {
  return validator(`${name}:${variant}`, () => {
    const payload = outputSchema(operation(name).output, variant);
    return variant === 'post' ? SuccessEnvelope(payload) : payload;
  });
}

/** The body of a failed answer: the problem (REST) or `{data: null, error: problem}` (POST-only). */
export function problemValidator(variant: Variant): ValidateFunction {
  return validator(`problem:${variant}`, () => (variant === 'post' ? LooseErrorEnvelope : LooseProblem));
}

/** A body the helpdesk posted to Fin's webhook endpoint: a sync or an agent_typing event. */
export function webhookEventValidator(): ValidateFunction {
  return validator('webhook-event', () => WebhookEvent);
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
