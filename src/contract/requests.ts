/**
 * What Fin sends (spec §4), one schema per operation, shared by both variants: REST sends the
 * `Get*` inputs as query parameters, POST-only as a JSON body. Unknown fields are ignored; an absent
 * field means "leave unchanged" and `null` means "clear it". Limits keep a single request from
 * exhausting the server; they are far above anything Fin sends.
 *
 * Lenient on what Fin sends (docs/decisions.md, "Lenient on Fin's input"): a refused Create
 * Conversation makes Fin end the customer's chat, so a field is checked no further than Intercom's
 * documentation types it. User fields are plain strings (no email or URI format: the domain trims
 * them, `""` is null, and what is not an address or a URL is kept as text); optional ids may be
 * `""` (meaning absent); an initial message may come without its author. What stays strict is
 * what Finch cannot act on: ids that must name something, the documented enums that decide what
 * Finch does (status, visibility, an author's `user_type`), timestamps, and the size limits.
 */
import Type, { type Static } from 'typebox';
import { nullable } from './nullable.js';
import { ConversationStatus, Timestamp, Visibility } from './models.js';

export const LIMITS = {
  id: 255,
  text: 1024,
  title: 2048,
  body: 262_144,
  url: 2048,
  tags: 100,
  attachments: 25,
} as const;

const Id = (description: string) => Type.String({ minLength: 1, maxLength: LIMITS.id, description });
const Text = (description?: string) => Type.String({ maxLength: LIMITS.text, ...(description ? { description } : {}) });
/**
 * A user's email and photo as Fin sends them: any string (the docs type them as strings), trimmed
 * by the domain, which keeps what is not an address or an absolute URL as text (`users.ts`).
 */
const Email = Type.String({ maxLength: LIMITS.text, description: 'Any text; trimmed, "" is null; kept as text when it is not an address' });
const PhotoUrl = Type.String({ maxLength: LIMITS.url, description: 'Any text; trimmed, "" is null; shown only when it is an absolute HTTPS URL' });
/** An optional id that Fin may send empty: `""` means the same as absent. */
const OptionalId = (description: string) => Type.String({ maxLength: LIMITS.id, description: `${description}; "" is the same as absent` });
/**
 * Attributes as sent. Every size limit, the number of keys included, is checked by the domain
 * (`ATTRIBUTE_LIMITS`, 422 `attribute_limit_exceeded` with a pointer), the same for Fin and for
 * agents, so one rule answers: a JSON Schema record cannot bound its keys' length, and a
 * `maxProperties` here would answer 400 before the domain's 422. The body size limit bounds the
 * cost of what reaches the domain.
 */
export const AttributesInput = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'Merged key by key into the stored attributes; a key sent as null is removed; null clears them all. ' +
    'Limits (422 attribute_limit_exceeded): keys up to 255 characters; each value up to 64 KiB of JSON, arrays and objects up to 1,000 members, 8 levels deep; ' +
    'the merged attributes up to 1,000 keys and 256 KiB of JSON.',
});
const objectIdDescription = (what: string) => `Intercom's id for the ${what}; a create with an object_id already seen returns the first ${what}`;
/** The object_id of a create: `""` reads as absent (no idempotency key). */
const LenientObjectId = (what: string) => OptionalId(objectIdDescription(what));

export const GetUserInput = Type.Object({ user_id: Id('The helpdesk id of the end-user') });
export type GetUserInput = Static<typeof GetUserInput>;

/** The fields of an end-user Fin may set (Create User, Update User, a conversation's `user` object). */
const userFields = {
  name: Type.Optional(nullable(Text())),
  email: Type.Optional(nullable(Email)),
  photo_url: Type.Optional(nullable(PhotoUrl)),
  attributes: Type.Optional(nullable(AttributesInput)),
};

/** Fin calls Update User when it learns more of the end-user (an email given in the messenger). */
export const UpdateUserInput = Type.Object({
  user_id: Id('The helpdesk id of the end-user'),
  ...userFields,
});
export type UpdateUserInput = Static<typeof UpdateUserInput>;

export const CreateUserInput = Type.Object({
  ...userFields,
  object_id: Type.Optional(LenientObjectId('user')),
});
export type CreateUserInput = Static<typeof CreateUserInput>;

export const GetAgentsInput = Type.Object({});
export type GetAgentsInput = Static<typeof GetAgentsInput>;

export const GetConversationInput = Type.Object({ conversation_id: Id('The helpdesk id of the conversation') });
export type GetConversationInput = Static<typeof GetConversationInput>;

/** The end-user object the POST-only variant may send with a conversation. */
export const UserInput = Type.Object({
  id: Type.Optional(OptionalId('The helpdesk id of the end-user; unknown ids create the user under that id')),
  // Informative only (the object is the end-user whatever it says), so any text is accepted.
  user_type: Type.Optional(Type.String({ maxLength: LIMITS.id, description: '"end_user"; ignored' })),
  ...userFields,
});
export type UserInput = Static<typeof UserInput>;

export const UpdateConversationInput = Type.Object({
  conversation_id: Id('The helpdesk id of the conversation'),
  title: Type.Optional(nullable(Type.String({ maxLength: LIMITS.title }))),
  tags: Type.Optional(
    nullable(
      Type.Array(Type.String({ maxLength: LIMITS.id }), {
        maxItems: LIMITS.tags,
        description: 'Replaces the set of tags',
      }),
    ),
  ),
  attributes: Type.Optional(nullable(AttributesInput)),
  status: Type.Optional(ConversationStatus),
  assignee_id: Type.Optional(
    nullable(
      Type.String({
        minLength: 1,
        maxLength: LIMITS.id,
        description: 'null hands the conversation over to a human; ignored while a human agent is assigned (human takeover wins)',
      }),
    ),
  ),
  last_user_read_at: Type.Optional(nullable(Timestamp)),
  user: Type.Optional(UserInput),
});
export type UpdateConversationInput = Static<typeof UpdateConversationInput>;

export const AttachmentInput = Type.Object({
  url: Type.String({ minLength: 1, maxLength: LIMITS.url, description: 'Must be HTTPS' }),
  filetype: Type.Optional(nullable(Type.String({ maxLength: LIMITS.text, description: 'null or absent: taken from the file name' }))),
  filename: Type.Optional(nullable(Type.String({ maxLength: LIMITS.text, description: "null or absent: the URL's last path segment" }))),
});
export type AttachmentInput = Static<typeof AttachmentInput>;

export const AuthorInput = Type.Object({
  id: Id('The end-user of the conversation, or an agent'),
  user_type: Type.Union([Type.Literal('end_user'), Type.Literal('agent')]),
  // Ignored (the author is read from the helpdesk), so as loose as a user's fields.
  name: Type.Optional(nullable(Text())),
  email: Type.Optional(nullable(Email)),
  photo_url: Type.Optional(nullable(PhotoUrl)),
});
export type AuthorInput = Static<typeof AuthorInput>;

const messageFields = {
  message_type: Type.Optional(Type.Literal('comment')),
  body: Type.Optional(nullable(Type.String({ maxLength: LIMITS.body, description: 'HTML, sanitized to the tags Fin supports' }))),
  author: AuthorInput,
  visibility: Type.Optional(Visibility),
  created_at: Type.Optional(Timestamp),
  object_id: Type.Optional(LenientObjectId('message')),
  attachments: Type.Optional(nullable(Type.Array(AttachmentInput, { maxItems: LIMITS.attachments }))),
};

/**
 * A message with its author, as the domain drafts it: Create Message's fields without
 * `conversation_id`, and Create Conversation's initial message once its author is known.
 */
export const InitialMessageInput = Type.Object(messageFields);
export type InitialMessageInput = Static<typeof InitialMessageInput>;

/**
 * The initial message of Create Conversation as sent; its `conversation_id`, if any, is ignored.
 * Without an author it is the conversation's end-user's; its `attributes` ("attributes associated
 * with the conversation" in the REST docs) merge into the conversation's.
 */
export const CreateConversationMessageInput = Type.Object({
  ...messageFields,
  author: Type.Optional(AuthorInput),
  object_id: Type.Optional(LenientObjectId('message')),
  attributes: Type.Optional(nullable(AttributesInput)),
});
export type CreateConversationMessageInput = Static<typeof CreateConversationMessageInput>;

export const CreateConversationInput = Type.Object({
  title: Type.Optional(nullable(Type.String({ maxLength: LIMITS.title }))),
  object_id: Type.Optional(LenientObjectId('conversation')),
  user_id: Type.Optional(OptionalId('The end-user (REST form); give this or `user`')),
  user: Type.Optional(UserInput),
  attributes: Type.Optional(nullable(AttributesInput)),
  initial_message: CreateConversationMessageInput,
});
export type CreateConversationInput = Static<typeof CreateConversationInput>;

export const GetMessagesInput = Type.Object({
  conversation_id: Id('The helpdesk id of the conversation'),
  after_id: Type.Optional(
    nullable(
      Type.String({
        maxLength: LIMITS.id,
        description: 'Only messages after this one; an id that matches no message of the conversation returns them all',
      }),
    ),
  ),
});
export type GetMessagesInput = Static<typeof GetMessagesInput>;

export const CreateMessageInput = Type.Object({
  conversation_id: Id('The helpdesk id of the conversation'),
  ...messageFields,
});
export type CreateMessageInput = Static<typeof CreateMessageInput>;
