/** Notifications beyond the open tab: each agent's choices (PUT /me/notifications) and the team's chat webhook. */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentRouteOptions } from '../agent-route-options.js';

export const notificationRoutes: FastifyPluginAsync<AgentRouteOptions> = async () => {};
