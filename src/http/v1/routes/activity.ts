/** A conversation's activity (GET /conversations/{id}/activity): the timeline of the conversation view. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ActivityListQuery, ActivityPage, type ActivityView } from '../../../contract/activity.js';
import { IdParams } from '../../../contract/agent-api.js';
import type { ActivityEntry } from '../../../domain/activity/activity.js';
import { listActivity } from '../../../domain/helpdesk/activity/list-activity.js';
import type { AgentRouteOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: conversations'];

export const activityRoutes: FastifyPluginAsync<AgentRouteOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/conversations/:id/activity',
    {
      schema: routeSchema(
        {
          operationId: 'listConversationActivity',
          summary: "A conversation's activity",
          description:
            'What happened to the conversation, oldest first: created, handed over and why, assigned to whom and how, first human reply, customer replies while a person holds it, status changes, reopened, SLA due soon and breached. Append-only. Pass next_cursor back as cursor for the next page. Any signed-in agent.',
          params: IdParams,
          querystring: ActivityListQuery,
          response: { 200: ActivityPage },
        },
        TAGS,
      ),
    },
    async (request) => {
      const listing = await listActivity(ctx, request.params.id, request.query);
      return { activity: listing.entries.map((entry) => presentActivity(entry, listing.names)), next_cursor: listing.nextCursor };
    },
  );
};

/** An entry on the wire: snake_case details, with the names of the people it names. */
export function presentActivity(entry: ActivityEntry, names: ReadonlyMap<string, string>): ActivityView {
  const name = (id: string | null) => (id === null ? null : (names.get(id) ?? null));
  const actorName = entry.actor.type === 'fin' ? 'Fin' : entry.actor.type === 'system' ? 'Finch' : name(entry.actor.id);
  const base = { id: entry.id, at: entry.at, actor: { type: entry.actor.type, id: entry.actor.id, name: actorName } };
  switch (entry.kind) {
    case 'created':
      return { ...base, kind: entry.kind, details: {} };
    case 'handed_over':
      return { ...base, kind: entry.kind, details: { reason: entry.details.reason } };
    case 'assigned': {
      const { assigneeId, previousAssigneeId, how } = entry.details;
      return {
        ...base,
        kind: entry.kind,
        details: {
          assignee_id: assigneeId,
          assignee_name: name(assigneeId),
          previous_assignee_id: previousAssigneeId,
          previous_assignee_name: name(previousAssigneeId),
          how,
        },
      };
    }
    case 'unassigned':
      return {
        ...base,
        kind: entry.kind,
        details: { previous_assignee_id: entry.details.previousAssigneeId, previous_assignee_name: name(entry.details.previousAssigneeId) },
      };
    case 'first_human_reply':
      return {
        ...base,
        kind: entry.kind,
        details: { agent_id: entry.details.agentId, agent_name: name(entry.details.agentId), message_id: entry.details.messageId },
      };
    case 'customer_replied':
      return { ...base, kind: entry.kind, details: { message_id: entry.details.messageId } };
    case 'status_changed':
      return { ...base, kind: entry.kind, details: { from: entry.details.from, to: entry.details.to } };
    case 'reopened':
      return { ...base, kind: entry.kind, details: { from: entry.details.from } };
    case 'sla_due_soon':
    case 'sla_breached':
      return { ...base, kind: entry.kind, details: { target: entry.details.target, due_at: entry.details.dueAt } };
  }
}
