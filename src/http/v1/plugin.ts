/**
 * The agent API under `/api/v1`: sessions, the inbox's queues and conversations, and
 * administration. Encapsulated like the Fin API: its own JSON parsing, validation, authentication
 * and problem answers.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifySchema } from 'fastify';
import type { TSchema } from 'typebox';
import { PROBLEM_CONTENT_TYPE, Problem } from '../../contract/problem.js';
import type { HelpdeskContext } from '../../domain/helpdesk/context.js';
import { refuseUnstorableText, useJsonBodies } from '../json-body.js';
import { sharedRateLimitStore } from '../shared-rate-limit.js';
import { HttpProblem, problemFromError } from '../problem.js';
import { validatorCompiler } from '../validation.js';
import { authenticateAgent } from './auth.js';
import { adminRoutes } from './routes/admin.js';
import { attachmentRoutes } from './routes/attachments.js';
import { cannedReplyRoutes } from './routes/canned-replies.js';
import { conversationRoutes } from './routes/conversations.js';
import { LiveStreams, eventRoutes } from './routes/events.js';
import { sessionRoutes } from './routes/session.js';

export interface AgentApiOptions {
  ctx: HelpdeskContext;
  /** Sign-in attempts per 15 minutes for one address and email. */
  loginRateLimit: number;
  /** Mark the session cookie Secure (Finch is served over HTTPS). */
  secureCookies: boolean;
  bodyLimit?: number;
  /** Largest file an agent may upload (FINCH_ATTACHMENT_LIMIT). */
  attachmentLimitBytes?: number;
  /** How often an idle event stream gets a keep-alive comment. */
  eventKeepAliveMs?: number;
  /** Changes this close together go out as one event. */
  eventCoalesceMs?: number;
  /** How often an open event stream checks its session or token again (5 s). */
  eventRecheckMs?: number;
}

/** What the route modules get: the options, and this server's open event streams. */
export type AgentRouteOptions = Pick<AgentApiOptions, 'ctx' | 'loginRateLimit' | 'secureCookies'> & { streams: LiveStreams };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. */
    public?: boolean;
  }
}

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

export const agentApi: FastifyPluginAsync<AgentApiOptions> = async (app, options) => {
  app.setValidatorCompiler(validatorCompiler);
  useJsonBodies(app, { bodyLimit: options.bodyLimit ?? 1_048_576 });
  // Counted in the database, so every Finch process on it shares each limit.
  await app.register(rateLimit, { global: false, store: sharedRateLimitStore(options.ctx.accounts.rateLimits, options.ctx.now, 'agent-api') });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    request.caller = await authenticateAgent(options.ctx, request);
  });
  app.addHook('preValidation', refuseUnstorableText);
  app.setErrorHandler(async (error, request, reply) => sendProblem(reply, problemFromError(error, request)));
  app.setNotFoundHandler(async (request) => {
    throw new HttpProblem(404, 'no_such_endpoint', `${request.method} ${request.url.split('?')[0]} is not an endpoint of the agent API.`);
  });

  // Not `options` itself: it carries this plugin's prefix, which the route modules must not add again.
  const routeOptions: AgentRouteOptions = { ctx: options.ctx, loginRateLimit: options.loginRateLimit, secureCookies: options.secureCookies, streams: new LiveStreams() };
  await app.register(sessionRoutes, routeOptions);
  await app.register(conversationRoutes, routeOptions);
  await app.register(eventRoutes, {
    ...routeOptions,
    eventKeepAliveMs: options.eventKeepAliveMs,
    eventCoalesceMs: options.eventCoalesceMs,
    eventRecheckMs: options.eventRecheckMs,
  });
  await app.register(cannedReplyRoutes, routeOptions);
  await app.register(attachmentRoutes, { ...routeOptions, attachmentLimitBytes: options.attachmentLimitBytes ?? 10_485_760 });
  await app.register(adminRoutes, routeOptions);
};

function sendProblem(reply: FastifyReply, { problem, headers }: ReturnType<typeof problemFromError>) {
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}
