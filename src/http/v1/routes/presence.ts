/** Presence: who of the team is around (PUT /me/presence) and what each agent's inbox shows. */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentRouteOptions } from '../agent-route-options.js';

export const presenceRoutes: FastifyPluginAsync<AgentRouteOptions> = async () => {};
