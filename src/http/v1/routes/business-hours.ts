/** Business hours and SLA targets (Admin → Business hours). */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentRouteOptions } from '../agent-route-options.js';

export const businessHoursRoutes: FastifyPluginAsync<AgentRouteOptions> = async () => {};
