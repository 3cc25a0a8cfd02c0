/**
 * The schema shape every agent API route shares. A leaf module: the route modules call it at any
 * time (even at module level) without depending on the plugin that registers them.
 */
import type { FastifySchema } from 'fastify';
import type { TSchema } from 'typebox';
import { PROBLEM_CONTENT_TYPE, Problem } from '../../contract/problem.js';

const problemResponse = { description: 'A problem (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } };

/** How a caller proves who it is: a personal API token or the session cookie (see openapi.ts). */
const SIGNED_IN = [{ bearer: [] }, { session: [] }];

/**
 * A route's schema with the problem answers every agent API route can give. `operationId` is
 * required: it is the name generated clients give the call (camelCase, a verb first, e.g.
 * `replyToConversation`), so it is written once here and never changed. `public: true` says the
 * route needs no credentials (`security: []`, sign-in).
 */
export function routeSchema<S extends FastifySchema & { operationId: string; response?: Record<number, TSchema> }>(
  schema: S,
  tags: string[],
  options: { public?: boolean } = {},
): S {
  return {
    ...schema,
    tags,
    security: options.public ? [] : SIGNED_IN,
    response: { ...schema.response, '4xx': problemResponse, '5xx': problemResponse },
  };
}
