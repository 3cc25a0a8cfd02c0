/**
 * The schema shape every agent API route shares. A leaf module: the route modules call it at any
 * time (even at module level) without depending on the plugin that registers them.
 */
import type { FastifySchema } from 'fastify';
import type { TSchema } from 'typebox';
import { PROBLEM_CONTENT_TYPE, Problem } from '../../contract/problem.js';

const problemResponse = { description: 'A problem (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } };

/** A route's schema with the problem answers every agent API route can give. */
export function routeSchema<S extends FastifySchema & { response?: Record<number, TSchema> }>(schema: S, tags: string[]): S {
  return {
    ...schema,
    tags,
    security: [{ bearer: [] }, { session: [] }],
    response: { ...schema.response, '4xx': problemResponse, '5xx': problemResponse },
  };
}
