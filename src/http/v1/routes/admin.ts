/** Administration: the delivery log and replays, Fin settings, agents, API tokens, OAuth clients. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import {
  AgentPatch,
  AgentView,
  ClientView,
  CreatedAgent,
  CreatedClient,
  CreatedToken,
  DeliveryListQuery,
  DeliveryPage,
  FinSettingsInput,
  FinSettingsView,
  IdParams,
  NewAgentInput,
  NewClientInput,
  NewTokenInput,
  ReplayRange,
  Replayed,
  TokenView,
} from '../../../contract/agent-api.js';
import { editAgent } from '../../../domain/helpdesk/agents/edit-agent.js';
import { inviteAgent } from '../../../domain/helpdesk/agents/invite-agent.js';
import { listAgents } from '../../../domain/helpdesk/agents/list-agents.js';
import { createOAuthClient } from '../../../domain/helpdesk/clients/create-client.js';
import { listClients } from '../../../domain/helpdesk/clients/list-clients.js';
import { revokeOAuthClient } from '../../../domain/helpdesk/clients/revoke-client.js';
import { requireAdmin } from '../../../domain/helpdesk/require-admin.js';
import { createToken } from '../../../domain/helpdesk/tokens/create-token.js';
import { listTokens } from '../../../domain/helpdesk/tokens/list-tokens.js';
import { revokeToken } from '../../../domain/helpdesk/tokens/revoke-token.js';
import { listDeliveries } from '../../../domain/helpdesk/fin/list-deliveries.js';
import { replayDeadRange } from '../../../domain/helpdesk/fin/replay-dead-range.js';
import { replayDelivery } from '../../../domain/helpdesk/fin/replay-delivery.js';
import { finSettingsReport, type FinSettingsReport } from '../../../domain/helpdesk/fin/fin-settings-report.js';
import { updateFinSettings } from '../../../domain/helpdesk/fin/update-fin-settings.js';
import { refuseWhenHashingBusy } from '../../shared-rate-limit.js';
import { callerOf } from '../auth.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';
import { presentAgent, presentClient, presentDelivery, presentToken } from '../presenters.js';

const DELIVERIES = ['Agent API: deliveries to Fin'];
const SETTINGS = ['Agent API: settings'];
const ACCOUNTS = ['Agent API: agents, tokens and clients'];

export const adminRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx, streams }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const admin = (request: Parameters<typeof callerOf>[0]) => {
    const { agent } = callerOf(request);
    requireAdmin(agent);
    return agent;
  };

  app.get(
    '/deliveries',
    {
      schema: routeSchema(
        {
          operationId: 'listDeliveries',
          summary: 'The delivery log (admin)',
          description: 'Every attempt to notify Fin, newest first; kept 30 days.',
          querystring: DeliveryListQuery,
          response: { 200: DeliveryPage },
        },
        DELIVERIES,
      ),
    },
    async (request) => {
      admin(request);
      const page = await listDeliveries(ctx, request.query);
      return { deliveries: page.deliveries.map(presentDelivery), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/deliveries/:id/replay',
    {
      schema: routeSchema(
        {
          operationId: 'replayDelivery',
          summary: "Send a logged attempt's event again (admin)",
          params: IdParams,
          response: { 202: Type.Object({ event_id: Type.String() }, { additionalProperties: false }) },
        },
        DELIVERIES,
      ),
    },
    async (request, reply) => {
      admin(request);
      const { eventId } = await replayDelivery(ctx, request.params.id);
      return reply.code(202).send({ event_id: eventId });
    },
  );

  app.post(
    '/deliveries/replay',
    {
      schema: routeSchema(
        {
          operationId: 'replayDeadDeliveries',
          summary: 'Send again every dead-lettered event written in [from, to) (admin)',
          body: ReplayRange,
          response: { 202: Replayed },
        },
        DELIVERIES,
      ),
    },
    async (request, reply) => {
      admin(request);
      return reply.code(202).send({ replayed: await replayDeadRange(ctx, request.body) });
    },
  );

  app.get(
    '/settings/fin',
    {
      schema: routeSchema({ operationId: 'getFinSettings', summary: 'Fin settings and delivery state (admin)', response: { 200: FinSettingsView } }, SETTINGS),
    },
    async (request) => {
      admin(request);
      return presentSettings(await finSettingsReport(ctx));
    },
  );

  app.put(
    '/settings/fin',
    {
      schema: routeSchema(
        {
          operationId: 'updateFinSettings',
          summary: 'Change Fin settings (admin)',
          description: 'Fields left out stay as they are; null clears one.',
          body: FinSettingsInput,
          response: { 200: FinSettingsView },
        },
        SETTINGS,
      ),
    },
    async (request) => {
      admin(request);
      return presentSettings(await updateFinSettings(ctx, request.body));
    },
  );

  app.get(
    '/agents',
    {
      schema: routeSchema(
        {
          operationId: 'listAgents',
          summary: 'Agents',
          description: 'Admins see every agent; others the active ones.',
          response: { 200: Type.Array(AgentView) },
        },
        ACCOUNTS,
      ),
    },
    async (request) => (await listAgents(ctx, callerOf(request).agent)).map(presentAgent),
  );

  app.post(
    '/agents',
    {
      schema: routeSchema(
        {
          operationId: 'inviteAgent',
          summary: 'Invite an agent (admin)',
          description: 'Answers the agent as GET /agents lists them (presence, open_conversations, capacity), with the generated password once.',
          body: NewAgentInput,
          response: { 201: CreatedAgent },
        },
        ACCOUNTS,
      ),
    },
    async (request, reply) => {
      const created = await refuseWhenHashingBusy('password_hashing_busy', () => inviteAgent(ctx, callerOf(request).agent, request.body));
      return reply.code(201).send({ agent: presentAgent(created.agent), ...(created.password ? { password: created.password } : {}) });
    },
  );

  app.patch(
    '/agents/:id',
    {
      schema: routeSchema(
        {
          operationId: 'updateAgent',
          summary: 'Edit, promote or deactivate an agent, or set their capacity (admin)',
          description:
            'Deactivating hands their open conversations back to Waiting (agent_deactivated). capacity: null returns to the routing default. Answers the agent as GET /agents lists them (a person with presence, open_conversations and capacity), whatever the body held.',
          params: IdParams,
          body: AgentPatch,
          response: { 200: AgentView },
        },
        ACCOUNTS,
      ),
    },
    async (request) => {
      const edited = await refuseWhenHashingBusy('password_hashing_busy', () => editAgent(ctx, callerOf(request).agent, request.params.id, request.body));
      // Deactivated, or the password changed: their open streams end now, not at the next check.
      if (request.body.active === false || request.body.password !== undefined) await streams.recheck(edited.id);
      // As the team list (GET /agents) shows them, whatever the patch held.
      return presentAgent(edited);
    },
  );

  app.get(
    '/tokens',
    {
      schema: routeSchema(
        { operationId: 'listTokens', summary: 'API tokens', description: 'Your personal tokens; admins see all.', response: { 200: Type.Array(TokenView) } },
        ACCOUNTS,
      ),
    },
    async (request) => (await listTokens(ctx, callerOf(request).agent)).map(presentToken),
  );

  app.post(
    '/tokens',
    {
      schema: routeSchema(
        { operationId: 'createToken', summary: 'Create an API token (shown once)', body: NewTokenInput, response: { 201: CreatedToken } },
        ACCOUNTS,
      ),
    },
    async (request, reply) => {
      const created = await createToken(ctx, callerOf(request).agent, request.body);
      return reply.code(201).send({ token: created.token, details: presentToken(created.details) });
    },
  );

  app.delete(
    '/tokens/:id',
    { schema: routeSchema({ operationId: 'revokeToken', summary: 'Revoke an API token', params: IdParams, response: { 204: Type.Null() } }, ACCOUNTS) },
    async (request, reply) => {
      const revoked = await revokeToken(ctx, callerOf(request).agent, request.params.id);
      if (revoked.agentId !== null) await streams.recheck(revoked.agentId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/oauth-clients',
    { schema: routeSchema({ operationId: 'listOAuthClients', summary: 'OAuth clients for Fin (admin)', response: { 200: Type.Array(ClientView) } }, ACCOUNTS) },
    async (request) => (await listClients(ctx, callerOf(request).agent)).map(presentClient),
  );

  app.post(
    '/oauth-clients',
    {
      schema: routeSchema(
        {
          operationId: 'createOAuthClient',
          summary: 'Create an OAuth client (admin; the secret is shown once)',
          body: NewClientInput,
          response: { 201: CreatedClient },
        },
        ACCOUNTS,
      ),
    },
    async (request, reply) => {
      const created = await createOAuthClient(ctx, callerOf(request).agent, request.body.name);
      return reply.code(201).send({ client_id: created.clientId, client_secret: created.clientSecret, details: presentClient(created.details) });
    },
  );

  app.delete(
    '/oauth-clients/:id',
    {
      schema: routeSchema(
        { operationId: 'revokeOAuthClient', summary: 'Revoke an OAuth client and its tokens (admin)', params: IdParams, response: { 204: Type.Null() } },
        ACCOUNTS,
      ),
    },
    async (request, reply) => {
      await revokeOAuthClient(ctx, callerOf(request).agent, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

function presentSettings(report: FinSettingsReport) {
  const { settings, delivery } = report;
  return {
    integration_id: settings.integrationId,
    webhook_key_set: settings.webhookKey !== null,
    region: settings.region,
    base_url: settings.baseUrl,
    webhook_url: report.webhookUrl,
    sending: report.sending,
    not_sending_reason: report.notSendingReason,
    overridden_by_environment: report.overriddenByEnvironment.map((field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)),
    delivery: {
      enabled: delivery.disabledAt === null,
      disabled_at: delivery.disabledAt,
      disabled_reason: delivery.disabledReason,
      unreachable_since: delivery.unreachableSince,
      last_success_at: delivery.lastSuccessAt,
    },
  };
}
