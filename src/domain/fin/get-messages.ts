import type { GetMessagesInput } from '../../contract/requests.js';
import type { FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { Message } from '../model.js';

/**
 * Oldest first, ties broken by id, private notes included. With after_id, only the messages after
 * it; an after_id that matches no message of the conversation returns them all (Fin ignores the
 * ones it has).
 */
export async function getMessages(ctx: FinContext, input: GetMessagesInput): Promise<Message[]> {
  const messages = await ctx.store.listMessages(input.conversation_id, input.after_id || undefined);
  if (!messages) throw notFound('conversation', input.conversation_id);
  return messages;
}
