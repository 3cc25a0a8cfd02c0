import type { GetConversationInput } from '../../contract/requests.js';
import type { FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { Conversation } from '../model.js';

export async function getConversation(ctx: FinContext, input: GetConversationInput): Promise<Conversation> {
  const conversation = await ctx.store.findConversation(input.conversation_id);
  if (!conversation) throw notFound('conversation', input.conversation_id);
  return conversation;
}
