/**
 * The agent API under `/api/v1`: sessions, the inbox's queues and conversations, and
 * administration. Encapsulated like the Fin API: its own JSON parsing, validation, authentication
 * and problem answers.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../../contract/problem.js';
import { InProcessSignatureReport } from '../../store/signature-report-port.js';
import { refuseUnstorableText, useJsonBodies } from '../json-body.js';
import { sharedRateLimitStore } from '../shared-rate-limit.js';
import { HttpProblem, problemFromError } from '../problem.js';
import { validatorCompiler } from '../validation.js';
import type { AgentApiOptions, AgentRouteOptions } from './agent-route-options.js';
import { authenticateAgent } from './auth.js';
import { LiveStreams } from './live-streams.js';
import { adminRoutes } from './routes/admin.js';
import { attachmentRoutes } from './routes/attachments.js';
import { cannedReplyRoutes } from './routes/canned-replies.js';
import { conversationRoutes } from './routes/conversations.js';
import { eventRoutes } from './routes/events.js';
import { finSignatureRoutes, type SignatureReportSource } from './routes/fin-signatures.js';
import { sessionRoutes } from './routes/session.js';
import { activityRoutes } from './routes/activity.js';
import { businessHoursRoutes } from './routes/business-hours.js';
import { notificationRoutes } from './routes/notifications.js';
import { presenceRoutes } from './routes/presence.js';
import { routingRoutes } from './routes/routing.js';

// Re-exported: the options are part of what this module offers its callers.
export type { AgentApiOptions, AgentRouteOptions } from './agent-route-options.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. */
    public?: boolean;
  }
}

/** The agent API's options, and what the signature report route reads (absent: mode `off`, nothing counted). */
export type AgentApiPluginOptions = AgentApiOptions & { signatures?: SignatureReportSource };

export const agentApi: FastifyPluginAsync<AgentApiPluginOptions> = async (app, options) => {
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
  const routeOptions: AgentRouteOptions = {
    ctx: options.ctx,
    loginRateLimit: options.loginRateLimit,
    secureCookies: options.secureCookies,
    streams: new LiveStreams(),
  };
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
  await app.register(presenceRoutes, routeOptions);
  await app.register(routingRoutes, routeOptions);
  await app.register(activityRoutes, routeOptions);
  await app.register(notificationRoutes, routeOptions);
  await app.register(businessHoursRoutes, routeOptions);
  await app.register(finSignatureRoutes, { signatures: options.signatures ?? { mode: 'off', report: new InProcessSignatureReport() } });
};

function sendProblem(reply: FastifyReply, { problem, headers }: ReturnType<typeof problemFromError>) {
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}
