/**
 * Errors (spec §6): an RFC 9457 (formerly 7807) problem object. The REST variant sends it as the
 * body with `application/problem+json`; the POST-only variant wraps it as `{data: null, error}`.
 * Both use the real HTTP status code.
 */
import Type, { type Static, type TSchema } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI reference identifying the problem type; `about:blank` when the status says it all' }),
    title: Type.String({ description: 'Short, human-readable summary of the problem type' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String({ description: 'What went wrong with this request' })),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    code: Type.Optional(Type.String({ description: 'Finch extension: a stable machine-readable error code, e.g. `not_found`' })),
    request_id: Type.Optional(Type.String({ description: 'Finch extension: the id under which the request was logged' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ pointer: Type.String({ description: 'JSON pointer to the offending input' }), detail: Type.String() }, { additionalProperties: false }),
        { description: 'Finch extension: each invalid input, for validation errors' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Problem = Static<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** POST-only success: `{"data": <payload>, "error": null}`. */
export function SuccessEnvelope<T extends TSchema>(data: T) {
  return Type.Object({ data, error: Type.Null() }, { additionalProperties: false });
}

/** POST-only failure: `{"data": null, "error": <problem>}`. */
export const ErrorEnvelope = Type.Object({ data: Type.Null(), error: Problem }, { additionalProperties: false });
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;
