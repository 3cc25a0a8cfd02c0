import type { GetConversationInput } from '../../contract/requests.js';
import type { FinContext } from '../context.js';
import { notFound } from '../errors.js';
import type { Conversation } from '../model.js';
import { afterFinRead, finBehind } from '../people-edits.js';

/**
 * The conversation as Fin reads it. When people changed it since Fin last read it, that Fin has now
 * read their change is written (people-edits.ts), so Fin's next update may change those fields; in
 * the common case (nothing changed by people since) this is one read and no write.
 */
export async function getConversation(ctx: FinContext, input: GetConversationInput): Promise<Conversation> {
  const conversation = await ctx.store.findConversation(input.conversation_id);
  if (!conversation) throw notFound('conversation', input.conversation_id);
  if (finBehind(conversation)) {
    await ctx.store.transaction(async (tx) => {
      const current = await tx.lockConversation(conversation.id);
      const edits = current && afterFinRead(conversation.peopleEdits, current.peopleEdits);
      if (edits) await tx.writePeopleEdits(conversation.id, edits);
    });
  }
  return conversation;
}
