/**
 * The HTTP server of a `finch worker` (FINCH_METRICS_PORT): `/metrics` and the probes only, so
 * that a worker's delivery counters can be scraped like a server's and an orchestrator can probe
 * it. Same answers, same access rule (metrics-access.ts), same graceful close as `finch start`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { closeGracefully, isShuttingDown } from '../http/graceful-close.js';
import { HttpProblem, problemFromError } from '../http/problem.js';
import type { FinchMetrics } from './finch-metrics.js';
import { observeHttp } from './http-metrics.js';
import { registerOperationsRoutes, type Readiness } from './operations-routes.js';

export interface OperationsServerOptions {
  metrics: FinchMetrics;
  metricsToken: string | undefined;
  readiness: Omit<Readiness, 'shuttingDown'>;
  /** The worker's logger (pino); none when absent. */
  logger?: FastifyBaseLogger;
}

export async function buildOperationsServer(options: OperationsServerOptions): Promise<FastifyInstance> {
  // Scrapes and probes come every few seconds: their routes log warnings and errors only
  // (operations-routes.ts), as on `finch start`.
  const app = Fastify(options.logger ? { loggerInstance: options.logger } : { logger: false }) as unknown as FastifyInstance;
  closeGracefully(app);
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { problem, headers } = problemFromError(error, request);
    return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem);
  });
  observeHttp(app, options.metrics);
  registerOperationsRoutes(app, {
    metrics: options.metrics,
    metricsToken: options.metricsToken,
    readiness: { ...options.readiness, shuttingDown: () => isShuttingDown(app) },
  });
  app.setNotFoundHandler(async (request) => {
    throw new HttpProblem(
      404,
      'not_found',
      `A worker serves only /metrics, /health/live and /health/ready, not ${request.method} ${request.url.split('?')[0]}.`,
    );
  });
  return app;
}
