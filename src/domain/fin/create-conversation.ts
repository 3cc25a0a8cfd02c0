import type { AuthorInput, CreateConversationInput } from '../../contract/requests.js';
import type { Attributes } from '../model.js';
import type { FinStoreWriter } from '../../store/port.js';
import { checkAttributes, initialAttributes } from '../attributes.js';
import { timestamp, type FinContext } from '../context.js';
import { unprocessable } from '../errors.js';
import { draftMessage, messageFor } from '../messages.js';
import type { Conversation, EndUser, Message } from '../model.js';
import { applyUserFields, newUser } from '../users.js';
import { FIN_ACTOR } from '../activity/activity.js';
import { activityBetween } from '../activity/activity-between.js';
import type { Created } from './created.js';

export interface CreatedConversation {
  conversation: Conversation;
  initialMessage: Message;
}

/**
 * A conversation started in the Fin Messenger, with its initial message. It starts open and
 * assigned to the Fin agent. A repeat with a known object_id returns the first conversation and its
 * initial message, also when the two requests race.
 *
 * Lenient (spec §4, docs/decisions.md "Lenient on Fin's input"), since a refusal ends the
 * customer's chat: an initial message without an author, or with an `end_user` author whatever
 * id it gives (a new conversation has one end-user; the docs' own example gives the user and the
 * author different ids), is the end-user's; an agent author must be an active agent (422); its `attributes`
 * merge into the conversation's (the top-level `attributes` win a key both send); an `object_id`
 * of `""` is no idempotency key. Its activity: `created`, by Fin (not for a repeat).
 */
export async function createConversation(ctx: FinContext, input: CreateConversationInput): Promise<Created<CreatedConversation>> {
  // Before the transaction: a refused request costs no lock (and little time).
  checkAttributes(input.attributes, '/attributes');
  checkAttributes(input.initial_message.attributes, '/initial_message/attributes');
  checkAttributes(input.user?.attributes, '/user/attributes');
  const at = timestamp(ctx);
  const { author, object_id: messageObjectId, attributes: messageAttributes, ...message } = input.initial_message;
  // The end-user stands in until it is known (in the transaction); `messageFor` checks an agent author then.
  const draft = draftMessage(
    { ...message, author: author ?? { id: '', user_type: 'end_user' }, ...(messageObjectId ? { object_id: messageObjectId } : {}) },
    at,
    '/initial_message',
  );
  const attributes = conversationAttributes(messageAttributes, input.attributes);

  return ctx.store.transaction(async (tx) => {
    const user = await resolveEndUser(tx, input, at);
    const fin = await tx.findFinAgent();
    const { value: conversation, created } = await tx.insertConversation({
      objectId: input.object_id || null,
      userId: user.id,
      assigneeId: fin.id,
      status: 'open',
      title: input.title ?? null,
      tags: [],
      attributes,
      at,
    });
    if (!created) {
      const initialMessage = await tx.findFirstMessage(conversation.id);
      if (!initialMessage) throw new Error(`conversation ${conversation.id} has no initial message`);
      return { value: { conversation, initialMessage }, replayed: true };
    }

    const endUser: AuthorInput = { id: conversation.user.id, user_type: 'end_user' };
    const byAgent = author?.user_type === 'agent' ? author : undefined;
    const inserted = await tx.insertMessage(await messageFor(tx, conversation, { ...draft, author: byAgent ?? endUser }, '/initial_message'));
    if (!inserted.created && inserted.value.conversationId !== conversation.id) {
      throw unprocessable('object_id_taken', 'initial_message.object_id already names a message of another conversation.', '/initial_message/object_id');
    }
    await ctx.recordActivity?.(tx, activityBetween(null, conversation, { at, actor: FIN_ACTOR, how: 'fin' }));
    return { value: { conversation, initialMessage: inserted.value }, replayed: false };
  });
}

/**
 * The new conversation's attributes: the initial message's (REST: "attributes associated with
 * the conversation"), then the top-level ones (POST-only) over them; `null` values mean nothing.
 * Limits as `initialAttributes` (422 `attribute_limit_exceeded` at `/attributes`).
 */
function conversationAttributes(fromMessage: Attributes | null | undefined, given: Attributes | null | undefined): Attributes {
  return initialAttributes({ ...fromMessage, ...given });
}

/**
 * REST sends `user_id`, POST-only a `user` object; both are accepted in both variants. `user_id`
 * must name a known end-user (`""` counts as absent). A `user` object updates the user it names,
 * creates it under its id when that id is unknown, and creates a new end-user when it has no id
 * (or `""`).
 */
async function resolveEndUser(tx: FinStoreWriter, input: CreateConversationInput, at: string): Promise<EndUser> {
  if (input.user_id) {
    const user = await tx.findUser(input.user_id);
    if (!user) throw unprocessable('unknown_user', `No end-user has the id ${JSON.stringify(input.user_id)}.`, '/user_id');
    return user;
  }
  if (input.user === undefined) {
    throw unprocessable('missing_user', 'Give the end-user as user_id or as a user object.', '/user_id');
  }
  const { id, user_type: _userType, ...fields } = input.user;
  if (id) {
    const existing = await applyUserFields(tx, id, fields, at, '/user/attributes');
    if (existing) return existing;
  }
  return (await tx.insertUser(newUser({ ...fields, ...(id ? { id } : {}) }, at, '/user/attributes'))).value;
}
