/**
 * The agent API (`/api/v1`): what human agents, the inbox and scripts use. Finch's own contract,
 * as TypeBox schemas: validation, serialization, types and the OpenAPI document come from here.
 */
import Type, { type Static } from 'typebox';
import { Attachment, ConversationStatus, Timestamp, Visibility } from './models.js';
import { nullable } from './nullable.js';
import { AttachmentInput, AttributesInput, LIMITS } from './requests.js';

const Id = (description: string) => Type.String({ minLength: 1, maxLength: LIMITS.id, description });
const FreeObject = Type.Record(Type.String(), Type.Unknown());

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('agent')]);

export const AgentView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    alias: nullable(Type.String()),
    photo_url: nullable(Type.String()),
    role: Role,
    is_fin: Type.Boolean({ description: 'The agent that represents Fin' }),
    active: Type.Boolean(),
    created_at: Timestamp,
    presence: Type.Optional(
      Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')], {
        description:
          'For a person (GET /agents, and the answers of POST and PATCH /agents): online (an inbox of theirs is open and they are active), away (they chose it, or their inbox saw them idle), offline (no inbox of theirs is open)',
      }),
    ),
    open_conversations: Type.Optional(Type.Integer({ minimum: 0, description: 'For a person: open conversations assigned to them' })),
    capacity: Type.Optional(
      nullable(
        Type.Integer({
          minimum: 0,
          description: 'For a person: open conversations automatic assignment may give them; null: the routing default (`capacity` of /settings/routing)',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type AgentView = Static<typeof AgentView>;

export const AgentBrief = Type.Object(
  { id: Type.String(), name: Type.String(), email: Type.String(), photo_url: nullable(Type.String()), is_fin: Type.Boolean() },
  { additionalProperties: false },
);

export const SessionView = Type.Object(
  {
    agent: AgentView,
    csrf_token: nullable(Type.String({ description: 'Send as X-CSRF-Token on every change made with the session cookie' })),
    expires_at: nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type SessionView = Static<typeof SessionView>;

export const SignInInput = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type SignInInput = Static<typeof SignInInput>;

/** `POST /api/v1/me/password`. The new password's strength is judged by the server (422 `weak_password`, with why). */
export const PasswordChangeInput = Type.Object({
  current_password: Type.String({ minLength: 1, maxLength: 1024 }),
  new_password: Type.String({ minLength: 1, maxLength: 1024, description: 'At least 12 characters, and hard to guess (zxcvbn score 3 or more)' }),
});
export type PasswordChangeInput = Static<typeof PasswordChangeInput>;

export const EndUserView = Type.Object(
  {
    id: Type.String(),
    name: nullable(Type.String()),
    email: nullable(Type.String()),
    photo_url: nullable(Type.String()),
    attributes: FreeObject,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export type EndUserView = Static<typeof EndUserView>;

export const Queue = Type.Union([Type.Literal('waiting'), Type.Literal('mine'), Type.Literal('fin'), Type.Literal('others'), Type.Literal('all')], {
  description: 'waiting: handed over, nobody assigned, oldest first; mine: assigned to you; fin: Fin is handling it; others: assigned to another person; all',
});
export type Queue = Static<typeof Queue>;

export const FinSync = Type.Object(
  {
    ok: Type.Boolean({ description: 'false while a notification to Fin about this conversation is dead-lettered' }),
    failed_at: nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const MessagePreview = Type.Object(
  {
    author_type: Type.Union([Type.Literal('end_user'), Type.Literal('agent')]),
    visibility: Visibility,
    text: Type.String({ description: 'The start of the message as plain text' }),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

export const ConversationView = Type.Object(
  {
    id: Type.String(),
    status: ConversationStatus,
    title: nullable(Type.String()),
    tags: Type.Array(Type.String()),
    attributes: FreeObject,
    user: Type.Object(
      { id: Type.String(), name: nullable(Type.String()), email: nullable(Type.String()), photo_url: nullable(Type.String()) },
      { additionalProperties: false },
    ),
    assignee: nullable(AgentBrief),
    queue: Type.Union([Type.Literal('waiting'), Type.Literal('mine'), Type.Literal('fin'), Type.Literal('others'), Type.Literal('none')], {
      description: 'Where it sits for you; none: unassigned but no longer open',
    }),
    assigned_at: Timestamp,
    handover_reason: nullable(
      Type.String({
        description:
          'Why it went to people without Fin handing it over: fin_unreachable (Fin could not be reached), agent_deactivated (its agent was deactivated), customer_returned (the end-user wrote again after it was resolved, closed or ended, with no active agent to return to), agent_unassigned (an agent took it out of their hands while it was open), agent_away (automatic assignment returned it from an agent who went away)',
      }),
    ),
    unread: Type.Boolean({ description: 'An end-user message waits for the agent who holds it to open the conversation (the unread marker)' }),
    unread_at: nullable(
      Type.String({
        format: 'date-time',
        description:
          'Set while an end-user message waits for the agent who holds it to open the conversation: when the first such message came; null otherwise',
      }),
    ),
    fin_sync: FinSync,
    handed_over_at: nullable(
      Type.String({ format: 'date-time', description: 'When it was handed to people, until the first human reply since; null otherwise' }),
    ),
    reply_due_at: nullable(
      Type.String({
        format: 'date-time',
        description: 'When the first human reply after the hand-over is due (the SLA target, counted in business hours); null without a target or once replied',
      }),
    ),
    resolve_due_at: nullable(Type.String({ format: 'date-time', description: 'When resolving it is due (the optional resolution target); null otherwise' })),
    sla_breached_at: nullable(Type.String({ format: 'date-time', description: 'When an SLA target was first missed; null while none was' })),
    last_message: nullable(MessagePreview),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export type ConversationView = Static<typeof ConversationView>;

export const ConversationListQuery = Type.Object({
  queue: Type.Optional(Queue),
  status: Type.Optional(ConversationStatus),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.id })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words to find in titles and message bodies (each word also as a prefix)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  sort: Type.Optional(
    Type.Union([Type.Literal('default'), Type.Literal('due')], {
      description: "default: the queue's own order (waiting: oldest first); due: by reply_due_at, soonest (most overdue) first, those without one last",
    }),
  ),
});
export type ConversationListQuery = Static<typeof ConversationListQuery>;

export const ConversationPage = Type.Object(
  { conversations: Type.Array(ConversationView), next_cursor: nullable(Type.String()) },
  { additionalProperties: false },
);

export const QueueCounts = Type.Object(
  {
    waiting: Type.Integer(),
    mine: Type.Integer(),
    fin: Type.Integer(),
    others: Type.Integer(),
    all: Type.Integer(),
    unread: Type.Integer({ description: 'Of mine: those with an end-user message you have not opened yet (unread_at set)' }),
  },
  { additionalProperties: false, description: 'Open conversations in each queue' },
);

export const MessageView = Type.Object(
  {
    id: Type.String(),
    conversation_id: Type.String(),
    body: nullable(Type.String({ description: 'Sanitized HTML' })),
    author: Type.Object(
      {
        type: Type.Union([Type.Literal('end_user'), Type.Literal('agent')]),
        id: Type.String(),
        name: nullable(Type.String()),
        email: nullable(Type.String()),
        photo_url: nullable(Type.String()),
        is_fin: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    visibility: Visibility,
    attachments: Type.Array(Attachment),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);
export type MessageView = Static<typeof MessageView>;

/** Messages per page of a thread: the default, and the most one page may ask for. */
export const THREAD_PAGE = { default: 50, maximum: 200 } as const;

const ThreadLimit = Type.Integer({
  minimum: 1,
  maximum: THREAD_PAGE.maximum,
  default: THREAD_PAGE.default,
  description: 'How many of the newest messages (before `before`, when given) to return',
});
const MessagesCursor = nullable(
  Type.String({
    description: 'Pass it as `before` to GET /conversations/{id}/messages for the messages before these; null when these start at the first message',
  }),
);

export const ConversationDetailQuery = Type.Object({ limit: Type.Optional(ThreadLimit) });

export const ConversationDetail = Type.Object(
  {
    conversation: ConversationView,
    user: EndUserView,
    messages: Type.Array(MessageView, { description: 'The newest messages, private notes included, oldest first' }),
    messages_cursor: MessagesCursor,
    message_count: Type.Integer({
      minimum: 0,
      description:
        'How many messages the conversation has, private notes included. Fin may date a message in the past, so a new one can come before these: a client holding older pages reads the thread again when the count grew by more than the new messages here.',
    }),
  },
  { additionalProperties: false },
);

export const MessagePageQuery = Type.Object({
  before: Type.Optional(Type.String({ maxLength: 512, description: 'A messages_cursor; without it, the newest messages' })),
  limit: Type.Optional(ThreadLimit),
});

export const MessagePage = Type.Object(
  { messages: Type.Array(MessageView, { description: 'Oldest first' }), messages_cursor: MessagesCursor },
  { additionalProperties: false },
);
export type ConversationDetail = Static<typeof ConversationDetail>;
export type MessagePage = Static<typeof MessagePage>;

export const ConversationParams = Type.Object({ id: Id('The conversation') });
export const IdParams = Type.Object({ id: Id('The object') });

export const ReplyInput = Type.Object({
  body: Type.Optional(nullable(Type.String({ maxLength: LIMITS.body, description: 'HTML, sanitized to the tags Fin supports' }))),
  visibility: Type.Optional(Visibility),
  attachments: Type.Optional(Type.Array(AttachmentInput, { maxItems: LIMITS.attachments })),
  last_seen_message_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: LIMITS.id,
      description:
        'The newest message the agent had seen when writing: when someone else replied since, the reply is not sent and the answer is 409 conversation_replied with the newer messages; send again with the newest id to confirm',
    }),
  ),
});
export type ReplyInput = Static<typeof ReplyInput>;

export const ConversationPatch = Type.Object({
  status: Type.Optional(ConversationStatus),
  title: Type.Optional(nullable(Type.String({ maxLength: LIMITS.title }))),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: LIMITS.id }), { maxItems: LIMITS.tags, description: 'Replaces the tags' })),
  attributes: Type.Optional(nullable(AttributesInput)),
  assignee_id: Type.Optional(
    nullable(Type.String({ minLength: 1, maxLength: LIMITS.id, description: 'An active agent, the Fin agent (hand back), or null (unassign)' })),
  ),
});
export type ConversationPatch = Static<typeof ConversationPatch>;

export const TypingResult = Type.Object(
  { sent: Type.Boolean({ description: 'false when one was sent for you in the last 3 s, or Fin is not configured' }) },
  { additionalProperties: false },
);

export const EndUserPatch = Type.Object({
  name: Type.Optional(nullable(Type.String({ maxLength: LIMITS.text }))),
  email: Type.Optional(nullable(Type.String({ maxLength: 320, format: 'email' }))),
  attributes: Type.Optional(nullable(AttributesInput)),
});
export type EndUserPatch = Static<typeof EndUserPatch>;

export const DeliveryView = Type.Object(
  {
    id: Type.String(),
    event_id: Type.String(),
    conversation_id: Type.String(),
    kind: Type.Union([Type.Literal('sync'), Type.Literal('typing')]),
    attempt: Type.Integer(),
    url: Type.String(),
    status_code: nullable(Type.Integer()),
    latency_ms: nullable(Type.Integer()),
    response_excerpt: nullable(Type.String()),
    error: nullable(Type.String()),
    outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('dead'), Type.Literal('expired'), Type.Literal('disabled')]),
    next_attempt_at: nullable(Timestamp),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

export const DeliveryListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  event_id: Type.Optional(Type.String({ maxLength: LIMITS.id })),
  conversation_id: Type.Optional(Type.String({ maxLength: LIMITS.id })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('dead'), Type.Literal('expired'), Type.Literal('disabled')]),
  ),
});
export type DeliveryListQuery = Static<typeof DeliveryListQuery>;

export const DeliveryPage = Type.Object({ deliveries: Type.Array(DeliveryView), next_cursor: nullable(Type.String()) }, { additionalProperties: false });

export const ReplayRange = Type.Object({
  from: Timestamp,
  to: Timestamp,
});
export type ReplayRange = Static<typeof ReplayRange>;

export const Replayed = Type.Object({ replayed: Type.Integer() }, { additionalProperties: false });

export const FinSettingsView = Type.Object(
  {
    integration_id: nullable(Type.String()),
    webhook_key_set: Type.Boolean({ description: 'The key itself is never shown' }),
    region: nullable(Type.Union([Type.Literal('us'), Type.Literal('eu'), Type.Literal('au')])),
    base_url: nullable(Type.String()),
    webhook_url: nullable(Type.String({ description: 'Where notifications go, when Fin is configured' })),
    sending: Type.Boolean({ description: 'Whether Finch is sending notifications to Fin now' }),
    not_sending_reason: nullable(Type.String()),
    overridden_by_environment: Type.Array(Type.String(), { description: 'Fields set by FINCH_FIN_* variables, which win over stored values' }),
    delivery: Type.Object(
      {
        enabled: Type.Boolean(),
        disabled_at: nullable(Timestamp),
        disabled_reason: nullable(Type.String()),
        unreachable_since: nullable(Timestamp),
        last_success_at: nullable(Timestamp),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type FinSettingsView = Static<typeof FinSettingsView>;

export const FinSettingsInput = Type.Object({
  integration_id: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: LIMITS.id }))),
  webhook_key: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 1024 }))),
  region: Type.Optional(nullable(Type.Union([Type.Literal('us'), Type.Literal('eu'), Type.Literal('au')]))),
  base_url: Type.Optional(nullable(Type.String({ maxLength: LIMITS.url, description: 'https://, or http:// on localhost; overrides the region' }))),
  delivery_enabled: Type.Optional(Type.Boolean({ description: 'true re-enables delivery after Fin answered 410' })),
});
export type FinSettingsInput = Static<typeof FinSettingsInput>;

export const NewAgentInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.text }),
  email: Type.String({
    // No `format` here: the address is judged once normalized (the domain's rule), not as typed.
    maxLength: 1024,
    description:
      'Stored in one spelling (NFKC, invisible characters removed, white space trimmed, lower case), then checked: 422 invalid_email when it is not an address',
  }),
  role: Type.Optional(Role),
  alias: Type.Optional(nullable(Type.String({ maxLength: LIMITS.text }))),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024, description: 'Generated and returned once when absent' })),
});
export type NewAgentInput = Static<typeof NewAgentInput>;

export const CreatedAgent = Type.Object(
  { agent: AgentView, password: Type.Optional(Type.String({ description: 'Only when it was generated; shown once' })) },
  { additionalProperties: false },
);

export const AgentPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.text })),
  alias: Type.Optional(nullable(Type.String({ maxLength: LIMITS.text }))),
  role: Type.Optional(Role),
  active: Type.Optional(Type.Boolean({ description: 'false deactivates: no sign-in, sessions and tokens refused' })),
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  capacity: Type.Optional(
    nullable(
      Type.Integer({
        minimum: 0,
        maximum: 1000,
        description: 'Open conversations automatic assignment may give the agent; null: the routing default',
      }),
    ),
  ),
});
export type AgentPatch = Static<typeof AgentPatch>;

export const TokenView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    scope: Type.Union([Type.Literal('agent'), Type.Literal('fin')], { description: 'agent: the agent API as its agent; fin: the Fin API' }),
    agent_id: nullable(Type.String()),
    created_at: Timestamp,
    revoked_at: nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const NewTokenInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.text }),
  scope: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('fin')], { description: 'fin tokens: admins only' })),
});
export type NewTokenInput = Static<typeof NewTokenInput>;

export const CreatedToken = Type.Object({ token: Type.String({ description: 'Shown once' }), details: TokenView }, { additionalProperties: false });

export const ClientView = Type.Object(
  { id: Type.String(), name: Type.String(), created_at: Timestamp, revoked_at: nullable(Timestamp) },
  { additionalProperties: false },
);
export const NewClientInput = Type.Object({ name: Type.String({ minLength: 1, maxLength: LIMITS.text }) });
export const CreatedClient = Type.Object(
  { client_id: Type.String(), client_secret: Type.String({ description: 'Shown once' }), details: ClientView },
  { additionalProperties: false },
);

/** The data of a `conversations` event of `GET /api/v1/events`. */
export const ChangedConversations = Type.Object(
  { ids: Type.Array(Type.String(), { minItems: 1, description: 'The conversations that changed; read them again' }) },
  { additionalProperties: false },
);
export type ChangedConversations = Static<typeof ChangedConversations>;

/** `GET /api/v1/events` answers a stream of Server-Sent Events, not JSON: this documents its lines. */
export const InboxEventStream = Type.String({
  description: [
    'Server-Sent Events (text/event-stream), each ended by a blank line:',
    '',
    '- `event: ready` with `data: {"connection_id": "conn_…"}` when the stream starts, and again whenever changes may have been missed: read',
    '  what you show again. Opened with the session cookie, the stream is an open inbox for presence (you are online or away while one',
    '  is open) and `connection_id` names it: send it in `PUT /api/v1/me/viewing` with the conversation you show. With a personal token',
    '  the data is `{}` and the stream makes nobody online.',
    '- `event: conversations` with `data: {"ids": ["conv_…", …]}` when conversations were created, edited, assigned, got a message, or',
    '  failed or recovered their sync with Fin, in any Finch process. Changes made within about 50 ms come as one event.',
    '- `event: team` with `data: {}` when someone’s presence changed (or the presence settings): read `GET /api/v1/agents` again.',
    '- `event: collision` with `data: {"conversation_id": "conv_…", "viewers": [{"id", "name"}], "typing": [{"id", "name"}]}` to a stream',
    '  viewing that conversation whenever who else views it or types a reply in it changes (typing fades after a few seconds).',
    '- `: keep-alive` (a comment) every 20 s.',
    '',
    'The stream ends when what opened it stops being valid: the session signed out, expired or ended by a password change, the',
    'personal token revoked, or the agent deactivated. At once when that happens through the same Finch process, within about 5 s',
    'otherwise. Connecting again then answers 401.',
  ].join('\n'),
  examples: [
    'event: ready\ndata: {"connection_id":"conn_01JD3M1X5Q2W7ZC9R8T4Y6V0BP"}\n\nevent: conversations\ndata: {"ids":["conv_01JD3M1X5Q2W7ZC9R8T4Y6V0BN"]}\n\n: keep-alive\n\n',
  ],
});
