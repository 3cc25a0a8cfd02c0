/** Automatic assignment: its settings (GET/PUT /settings/routing). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { RoutingSettingsBody } from '../../../contract/routing.js';
import { readRoutingSettings } from '../../../domain/helpdesk/routing/read-routing-settings.js';
import { updateRoutingSettings } from '../../../domain/helpdesk/routing/update-routing-settings.js';
import type { RoutingSettings } from '../../../domain/routing/routing-settings.js';
import { callerOf } from '../auth.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: settings'];

export const routingRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/settings/routing',
    {
      schema: routeSchema(
        {
          operationId: 'getRoutingSettings',
          summary: 'Automatic assignment settings',
          description: 'Any signed-in agent may read them.',
          response: { 200: RoutingSettingsBody },
        },
        TAGS,
      ),
    },
    async () => present(await readRoutingSettings(ctx)),
  );

  app.put(
    '/settings/routing',
    {
      schema: routeSchema(
        {
          operationId: 'updateRoutingSettings',
          summary: 'Change automatic assignment (admin)',
          description: 'Every field is given. Turning routing on assigns what waits at once, to online agents with room.',
          body: RoutingSettingsBody,
          response: { 200: RoutingSettingsBody },
        },
        TAGS,
      ),
    },
    async (request) => {
      const { mode, capacity, reassign_when_away } = request.body;
      return present(await updateRoutingSettings(ctx, callerOf(request).agent, { mode, capacity, reassignWhenAway: reassign_when_away }));
    },
  );
};

function present(settings: RoutingSettings): RoutingSettingsBody {
  return { mode: settings.mode, capacity: settings.capacity, reassign_when_away: settings.reassignWhenAway };
}
