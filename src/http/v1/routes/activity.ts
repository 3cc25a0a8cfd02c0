/** A conversation's activity (GET /conversations/{id}/activity). */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentRouteOptions } from '../agent-route-options.js';

export const activityRoutes: FastifyPluginAsync<AgentRouteOptions> = async () => {};
