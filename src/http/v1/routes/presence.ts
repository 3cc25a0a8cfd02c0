/**
 * Presence (issue 12, item 1): an agent's own (`/me/presence`), the team's idle time
 * (`/settings/presence`), and which conversation an inbox shows (`/me/viewing`, item 3). Who is
 * around is in `GET /agents`; what changes reaches open inboxes on the event stream (events.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { PresenceInput, PresenceSettingsView, PresenceView, ViewingInput } from '../../../contract/presence.js';
import { readPresence } from '../../../domain/helpdesk/presence/read-presence.js';
import { setPresence } from '../../../domain/helpdesk/presence/set-presence.js';
import { setViewing } from '../../../domain/helpdesk/presence/set-viewing.js';
import { updatePresenceSettings } from '../../../domain/helpdesk/presence/update-presence-settings.js';
import type { AgentPresence, PresenceSettings } from '../../../domain/presence/presence.js';
import { callerOf } from '../auth.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: presence'];

const present = (presence: AgentPresence, settings: PresenceSettings): PresenceView => ({
  status: presence.status,
  chosen: presence.chosen,
  automatic: presence.automatic,
  away_after_minutes: settings.awayAfterMinutes,
});

export const presenceRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/presence',
    {
      schema: routeSchema(
        {
          operationId: 'getPresence',
          summary: 'Your presence',
          description: 'online or away while an inbox of yours is open, else offline; and the team’s idle time.',
          response: { 200: PresenceView },
        },
        TAGS,
      ),
    },
    async (request) => {
      const presence = await readPresence(ctx, callerOf(request).agent);
      return present(presence, presence);
    },
  );

  app.put(
    '/me/presence',
    {
      schema: routeSchema(
        {
          operationId: 'setPresence',
          summary: 'Set your presence',
          description: 'online or away (the top bar’s toggle). Every open inbox sees the change; coming online may bring you waiting conversations.',
          body: PresenceInput,
          response: { 200: PresenceView },
        },
        TAGS,
      ),
    },
    async (request) => {
      const agent = callerOf(request).agent;
      const presence = await setPresence(ctx, agent, request.body);
      return present(presence, await ctx.presence.getPresenceSettings());
    },
  );

  app.put(
    '/me/viewing',
    {
      schema: routeSchema(
        {
          operationId: 'setViewing',
          summary: 'Say which conversation your inbox shows',
          description:
            'Names the inbox’s event stream (its `ready` event’s `connection_id`) and the conversation it shows, or null. Agents on that conversation get a `collision` event. 404 for a connection that is not your open one.',
          body: ViewingInput,
          response: { 204: Type.Null() },
        },
        TAGS,
      ),
    },
    async (request, reply) => {
      await setViewing(ctx, callerOf(request).agent, request.body.connection_id, request.body.conversation_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/settings/presence',
    { schema: routeSchema({ operationId: 'getPresenceSettings', summary: 'Presence settings', response: { 200: PresenceSettingsView } }, TAGS) },
    async () => ({
      away_after_minutes: (await ctx.presence.getPresenceSettings()).awayAfterMinutes,
    }),
  );

  app.put(
    '/settings/presence',
    {
      schema: routeSchema(
        {
          operationId: 'updatePresenceSettings',
          summary: 'Change presence settings (admin)',
          body: PresenceSettingsView,
          response: { 200: PresenceSettingsView },
        },
        TAGS,
      ),
    },
    async (request) => {
      const saved = await updatePresenceSettings(ctx, callerOf(request).agent, { awayAfterMinutes: request.body.away_after_minutes });
      return { away_after_minutes: saved.awayAfterMinutes };
    },
  );
};
