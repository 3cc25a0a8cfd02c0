/**
 * Presence and collision detection in the agent API (issue 12, items 1 and 3): an agent's
 * presence (`/me/presence`), the team's idle time (`/settings/presence`), which conversation an
 * inbox shows (`/me/viewing`), and the events the live stream carries about them.
 */
import Type, { type Static } from 'typebox';
import { MessageView } from './agent-api.js';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem.js';

const Status = Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]);
const Chosen = Type.Union([Type.Literal('online'), Type.Literal('away')]);

export const PresenceInput = Type.Object(
  {
    status: Chosen,
    automatic: Type.Optional(
      Type.Boolean({
        description:
          'Set by the inbox itself, not the agent: `away` then applies only from online (after the idle time) and `online` only from an away the inbox set, so an away the agent chose stays',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PresenceInput = Static<typeof PresenceInput>;

export const PresenceView = Type.Object(
  {
    status: Type.Union([Status], { description: 'online or away while an inbox of theirs is open (on any node), else offline' }),
    chosen: Type.Union([Chosen], { description: 'What applies while an inbox is open' }),
    automatic: Type.Boolean({ description: 'The inbox chose it (it saw the agent idle)' }),
    away_after_minutes: Type.Integer({ minimum: 0, description: 'The team setting: idle minutes after which the inbox sets its agent away; 0: never' }),
  },
  { additionalProperties: false },
);
export type PresenceView = Static<typeof PresenceView>;

export const PresenceSettingsView = Type.Object(
  {
    away_after_minutes: Type.Integer({
      minimum: 0,
      maximum: 1440,
      description: 'Idle minutes (no input, or the tab hidden) after which an open inbox sets its agent away by itself; 0: never',
    }),
  },
  { additionalProperties: false },
);
export type PresenceSettingsView = Static<typeof PresenceSettingsView>;

export const ViewingInput = Type.Object(
  {
    connection_id: Type.String({ minLength: 1, maxLength: 64, description: 'The inbox’s event stream, from its `ready` event' }),
    conversation_id: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'The conversation it shows; null for none' }),
  },
  { additionalProperties: false },
);
export type ViewingInput = Static<typeof ViewingInput>;

/** Someone on a conversation. */
export const Colleague = Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false });

/** The data of a `collision` event of `GET /api/v1/events`. */
export const CollisionEvent = Type.Object(
  {
    conversation_id: Type.String(),
    viewers: Type.Array(Colleague, { description: 'Other agents whose inbox shows it (you are never listed)' }),
    typing: Type.Array(Colleague, { description: 'Of them, those typing a reply in the last few seconds' }),
  },
  { additionalProperties: false },
);
export type CollisionEvent = Static<typeof CollisionEvent>;

/** The data of a `ready` event of `GET /api/v1/events`. */
export const StreamReady = Type.Object(
  { connection_id: Type.String({ description: 'This stream’s connection: name it in `PUT /me/viewing`' }) },
  { additionalProperties: false },
);
export type StreamReady = Static<typeof StreamReady>;

/** 409 `conversation_replied` of `POST /conversations/{id}/messages`. */
export const ConversationRepliedProblem = Type.Object(
  {
    ...Problem.properties,
    messages: Type.Optional(
      Type.Array(MessageView, { description: 'Finch extension: the messages written since `last_seen_message_id` (the newest 200 at most), oldest first' }),
    ),
  },
  { additionalProperties: false },
);

/** The reply route's 409 answer, for its response schema (without it the `messages` member would not be serialized). */
export const ConversationRepliedResponse = {
  description: 'Someone else replied since `last_seen_message_id` (code `conversation_replied`): nothing was sent; the newer messages are in `messages`',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ConversationRepliedProblem } },
};
