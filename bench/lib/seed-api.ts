/**
 * Seeding through the Fin API itself, as Fin would: the rows are exactly those Finch writes, so
 * the reads measured afterwards see data in Finch's own shape.
 */
import type { FinClient, FinResponse } from '../../src/client/fin-client.js';

export interface SeededConversation {
  conversationId: string;
  userId: string;
  finAgentId: string;
  messages: number;
}

/**
 * One end-user and one conversation of `messages` messages: the end-user's initial message, then
 * Fin and the end-user taking turns, as in a real exchange.
 */
export async function seedConversation(client: FinClient, messages: number): Promise<SeededConversation> {
  const user = payload<{ id: string }>(
    await client.call('create_user', { name: 'Ada Lovelace', email: 'ada@example.test', attributes: { plan: 'pro', seats: 12 } }),
  );
  const created = payload<{ conversation: { id: string; assignee: { id: string } | null } }>(
    await client.call('create_conversation', {
      title: 'Cannot export my invoices',
      user_id: user.id,
      initial_message: { body: body(0), author: { id: user.id, user_type: 'end_user' } },
    }),
  );
  const conversationId = created.conversation.id;
  // A new conversation is assigned to the Fin agent: that is the agent Fin answers as.
  const finAgentId = created.conversation.assignee?.id;
  if (!finAgentId) throw new Error('a new conversation should be assigned to the Fin agent');

  for (let turn = 1; turn < messages; turn++) {
    const author = turn % 2 === 1 ? { id: finAgentId, user_type: 'agent' } : { id: user.id, user_type: 'end_user' };
    payload(await client.call('create_message', { conversation_id: conversationId, body: body(turn), author }));
  }

  const stored = payload<unknown[]>(await client.call('get_messages', { conversation_id: conversationId }));
  if (stored.length !== messages) throw new Error(`seeded ${messages} messages but get_messages returns ${stored.length}`);
  return { conversationId, userId: user.id, finAgentId, messages };
}

/** A message body of a typical size for a support chat, with some of the HTML Fin sends. */
function body(turn: number): string {
  return (
    `<p>Message ${turn + 1}: when I open <b>Billing → Invoices</b> and press <i>Export</i>, nothing is downloaded. ` +
    `I tried another browser and cleared the cache; the button still does nothing. ` +
    `<a href="https://example.test/help/invoices">This article</a> did not help.</p>`
  );
}

function payload<T>(response: FinResponse): T {
  if (response.status >= 300) {
    throw new Error(`${response.method} ${response.url} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.payload as T;
}
