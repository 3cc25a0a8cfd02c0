/** Automatic assignment: its settings (GET/PUT /settings/routing). */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentRouteOptions } from '../agent-route-options.js';

export const routingRoutes: FastifyPluginAsync<AgentRouteOptions> = async () => {};
