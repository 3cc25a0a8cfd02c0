import type { ReplyInput } from '../../../contract/agent-api.js';
import { assign } from '../../conversation-changes.js';
import { draftMessage, messageFor } from '../../messages.js';
import { heldByPerson, type Agent, type Message } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/**
 * An agent's reply (public) or note (private). A reply to a conversation Fin holds, or nobody
 * does (a deactivated agent counts as nobody), takes it for the agent in the same transaction: once a person answers, Fin steps back.
 * Either way Fin is told, and pulls the new message (it shows the end-user only public ones).
 */
export async function reply(ctx: HelpdeskContext, agent: Agent, conversationId: string, input: ReplyInput): Promise<Message> {
  const visibility = input.visibility ?? 'public';
  const at = ctx.now().toISOString();
  const draft = draftMessage({ body: input.body, visibility, attachments: input.attachments, author: { id: agent.id, user_type: 'agent' } }, at, '');
  let message: Message | undefined;
  await changeConversation(
    ctx,
    conversationId,
    async (current, tx) => {
      message = (await tx.insertMessage(await messageFor(tx, current, draft, '', { authorIsCaller: true }))).value;
      const changes = visibility === 'public' && !heldByPerson(current.assignee) ? assign({}, current, agent.id) : {};
      // Answering is reading: the holder's unread marker goes (a colleague's reply leaves it).
      const holder = changes.assigneeId ?? current.assignee?.id;
      return current.unreadAt !== null && visibility === 'public' && holder === agent.id ? { ...changes, unreadAt: null } : changes;
    },
    { changedAnyway: true },
  );
  return message!;
}
