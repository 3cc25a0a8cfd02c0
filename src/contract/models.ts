/**
 * The objects a helpdesk returns to Fin (spec §3), as TypeBox schemas.
 *
 * These schemas are the single source of truth for the wire shapes: Fastify validates and
 * serializes with them, the OpenAPI document is generated from them, the conformance checker
 * validates other helpdesks against them, and the TypeScript types below are inferred from them.
 *
 * `required` follows the contract (what any helpdesk must send); Finch itself always sends every
 * key. `additionalProperties: false` because the contract says the shapes must be followed
 * exactly, and so that nothing undeclared can leak out of Finch's serializer.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { nullable } from './nullable.js';

export type Variant = 'rest' | 'post';
export const VARIANTS: readonly Variant[] = ['rest', 'post'];

/** ISO 8601 UTC with milliseconds, e.g. `2025-10-27T14:30:00.000Z`. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2025-10-27T14:30:00.000Z'] });

/** Free-form attributes, e.g. `{"plan_type": "enterprise", "is_premium": true}`. */
export const Attributes = Type.Record(Type.String(), Type.Unknown(), {
  examples: [{ plan_type: 'enterprise', is_premium: true }],
});

export const ConversationStatus = Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('closed'), Type.Literal('ended')], {
  description: 'open: ongoing with the end-user; resolved: resolved by Fin; closed: finished/archived; ended: ended by the end-user or an agent',
});
export type ConversationStatus = Static<typeof ConversationStatus>;

export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('private')], {
  description: 'public: shown in the Fin Messenger; private: an internal note, agents only',
});
export type Visibility = Static<typeof Visibility>;

export const EndUser = Type.Object(
  {
    id: Type.String({ examples: ['user_01JD3Q5X9V8Y2K7H4M6N1P0R3S'] }),
    user_type: Type.Literal('end_user'),
    name: Type.Optional(nullable(Type.String())),
    email: Type.Optional(nullable(Type.String({ format: 'email' }))),
    photo_url: Type.Optional(nullable(Type.String({ format: 'uri' }))),
    attributes: Type.Optional(nullable(Attributes)),
  },
  { additionalProperties: false, description: 'The end-user having a conversation with Fin or with an agent.' },
);
export type EndUser = Static<typeof EndUser>;

/** REST variant: `alias`, and name/email may be null. */
export const RestAgent = Type.Object(
  {
    id: Type.String({ examples: ['agent_01JD3Q5X9V8Y2K7H4M6N1P0R3S'] }),
    user_type: Type.Literal('agent'),
    name: Type.Optional(nullable(Type.String())),
    email: Type.Optional(nullable(Type.String({ format: 'email' }))),
    photo_url: Type.Optional(nullable(Type.String({ format: 'uri' }))),
    alias: Type.Optional(nullable(Type.String({ description: 'Shown to end-users instead of the real name' }))),
  },
  { additionalProperties: false, description: 'An agent of the helpdesk (Fin counts as one).' },
);
export type RestAgent = Static<typeof RestAgent>;

/** POST-only variant: `alias_name`, and name/email are required and never null. */
export const PostAgent = Type.Object(
  {
    id: Type.String({ examples: ['agent_01JD3Q5X9V8Y2K7H4M6N1P0R3S'] }),
    user_type: Type.Literal('agent'),
    name: Type.String(),
    email: Type.String({ format: 'email' }),
    photo_url: Type.Optional(nullable(Type.String({ format: 'uri' }))),
    alias_name: Type.Optional(nullable(Type.String({ description: 'Shown to end-users instead of the real name' }))),
  },
  { additionalProperties: false, description: 'An agent of the helpdesk (Fin counts as one).' },
);
export type PostAgent = Static<typeof PostAgent>;

export const Attachment = Type.Object(
  {
    url: Type.String({ format: 'uri', description: 'HTTPS only' }),
    filetype: Type.String({ examples: ['pdf'] }),
    filename: Type.String({ description: 'Display name', examples: ['Pricing Guide 2025'] }),
  },
  { additionalProperties: false },
);
export type Attachment = Static<typeof Attachment>;

function conversationSchema<A extends TSchema>(agent: A) {
  return Type.Object(
    {
      id: Type.String({ examples: ['conv_01JD3Q5X9V8Y2K7H4M6N1P0R3S'] }),
      status: ConversationStatus,
      user: EndUser,
      title: Type.Optional(nullable(Type.String())),
      tags: Type.Optional(Type.Array(Type.String(), { description: 'Always an array in Finch, [] when none' })),
      attributes: Type.Optional(Attributes),
      assignee: Type.Optional(nullable(agent)),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    { additionalProperties: false },
  );
}

export const RestConversation = conversationSchema(RestAgent);
export type RestConversation = Static<typeof RestConversation>;
export const PostConversation = conversationSchema(PostAgent);
export type PostConversation = Static<typeof PostConversation>;

function messageSchema<A extends TSchema, B extends TSchema>(agent: A, body: B) {
  return Type.Object(
    {
      id: Type.String({ examples: ['msg_01JD3Q5X9V8Y2K7H4M6N1P0R3S'] }),
      conversation_id: Type.String(),
      message_type: Type.Literal('comment'),
      body,
      author: Type.Union([EndUser, agent], { description: 'The end-user or an agent, told apart by user_type' }),
      visibility: Visibility,
      created_at: Timestamp,
      attachments: Type.Optional(Type.Array(Attachment)),
    },
    { additionalProperties: false },
  );
}

export const RestMessage = messageSchema(RestAgent, Type.String({ description: 'HTML' }));
export type RestMessage = Static<typeof RestMessage>;
export const PostMessage = messageSchema(PostAgent, nullable(Type.String({ description: 'HTML' })));
export type PostMessage = Static<typeof PostMessage>;

export const RestCreatedConversation = Type.Object({ conversation: RestConversation, initial_message: RestMessage }, { additionalProperties: false });
export const PostCreatedConversation = Type.Object({ conversation: PostConversation, initial_message: PostMessage }, { additionalProperties: false });

/** The models of one variant, so that code can be written once for both. */
export const MODELS = {
  rest: {
    EndUser,
    Agent: RestAgent,
    Conversation: RestConversation,
    Message: RestMessage,
    CreatedConversation: RestCreatedConversation,
  },
  post: {
    EndUser,
    Agent: PostAgent,
    Conversation: PostConversation,
    Message: PostMessage,
    CreatedConversation: PostCreatedConversation,
  },
} as const;
