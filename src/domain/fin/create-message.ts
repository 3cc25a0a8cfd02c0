import type { CreateMessageInput } from '../../contract/requests.js';
import { timestamp, type FinContext } from '../context.js';
import { notFound } from '../errors.js';
import { draftMessage, messageFor } from '../messages.js';
import type { Message } from '../model.js';
import type { Created } from './created.js';

/** Mirrors an end-user's message or one of Fin's answers into the conversation. */
export async function createMessage(ctx: FinContext, input: CreateMessageInput): Promise<Created<Message>> {
  const at = timestamp(ctx);
  const draft = draftMessage(input, at, '');
  return ctx.store.transaction(async (tx) => {
    const conversation = await tx.lockConversation(input.conversation_id);
    if (!conversation) throw notFound('conversation', input.conversation_id);
    const { value, created } = await tx.insertMessage(await messageFor(tx, conversation, draft, ''));
    // A new message is activity on the conversation: it moves up in the helpdesk's lists.
    if (created) await tx.updateConversation(conversation.id, {}, at);
    return { value, replayed: !created };
  });
}
