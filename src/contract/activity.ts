/**
 * A conversation's activity in the agent API (`GET /api/v1/conversations/{id}/activity`): what
 * happened to it, when and by whom, oldest first (domain/activity/). One shape per kind; names are
 * the people's names as they are now.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Timestamp } from './models.js';
import { nullable } from './nullable.js';

const Name = nullable(Type.String());

export const ActivityActorView = Type.Object(
  {
    type: Type.Union([Type.Literal('fin'), Type.Literal('agent'), Type.Literal('end_user'), Type.Literal('system')], {
      description: 'fin: Fin; agent: a person of the team; end_user: the customer; system: Finch itself (routing, the fail-safe, the SLA clock)',
    }),
    id: nullable(Type.String({ description: "The agent's or end-user's id; null for Fin and the system" })),
    name: Name,
  },
  { additionalProperties: false },
);
export type ActivityActorView = Static<typeof ActivityActorView>;

const SlaTarget = Type.Union([Type.Literal('first_reply'), Type.Literal('resolution')]);
const Status = Type.String({ description: 'A conversation status: open, resolved, closed or ended' });

/** Each kind's details (snake_case). */
const DETAILS = {
  created: Type.Object({}, { additionalProperties: false }),
  handed_over: Type.Object(
    {
      reason: nullable(
        Type.String({
          description:
            'Why it entered Waiting: null when Fin handed it over; fin_unreachable, customer_returned, agent_deactivated, agent_unassigned (an agent left it to the team), agent_away or another reason Finch gives',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  assigned: Type.Object(
    {
      assignee_id: Type.String(),
      assignee_name: Name,
      previous_assignee_id: nullable(Type.String()),
      previous_assignee_name: Name,
      how: Type.Union([Type.Literal('manual'), Type.Literal('automatic'), Type.Literal('return'), Type.Literal('fin')], {
        description: "manual: by an agent's hand; automatic: by routing; return: the customer came back to their agent; fin: Fin assigned it",
      }),
    },
    { additionalProperties: false },
  ),
  unassigned: Type.Object({ previous_assignee_id: Type.String(), previous_assignee_name: Name }, { additionalProperties: false }),
  first_human_reply: Type.Object({ agent_id: Type.String(), agent_name: Name, message_id: Type.String() }, { additionalProperties: false }),
  customer_replied: Type.Object({ message_id: Type.String() }, { additionalProperties: false }),
  status_changed: Type.Object({ from: Status, to: Status }, { additionalProperties: false }),
  reopened: Type.Object({ from: Status }, { additionalProperties: false }),
  sla_due_soon: Type.Object({ target: SlaTarget, due_at: Timestamp }, { additionalProperties: false }),
  sla_breached: Type.Object({ target: SlaTarget, due_at: Timestamp }, { additionalProperties: false }),
} satisfies Record<string, TSchema>;

type Kind = keyof typeof DETAILS;

function entry<K extends Kind>(kind: K) {
  return Type.Object(
    { id: Type.String(), at: Timestamp, kind: Type.Literal(kind), actor: ActivityActorView, details: DETAILS[kind] },
    { additionalProperties: false, title: `Activity: ${kind}` },
  );
}

export const ActivityView = Type.Union(
  [
    entry('created'),
    entry('handed_over'),
    entry('assigned'),
    entry('unassigned'),
    entry('first_human_reply'),
    entry('customer_replied'),
    entry('status_changed'),
    entry('reopened'),
    entry('sla_due_soon'),
    entry('sla_breached'),
  ],
  { description: 'One event of a conversation (its kind decides its details)' },
);
export type ActivityView = Static<typeof ActivityView>;
export type ActivityKindView = ActivityView['kind'];

export const ActivityListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 100 })),
});
export type ActivityListQuery = Static<typeof ActivityListQuery>;

export const ActivityPage = Type.Object(
  { activity: Type.Array(ActivityView), next_cursor: nullable(Type.String({ description: 'null on the last page' })) },
  { additionalProperties: false },
);
export type ActivityPage = Static<typeof ActivityPage>;
