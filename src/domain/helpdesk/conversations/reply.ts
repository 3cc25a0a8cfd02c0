import { THREAD_PAGE, type ReplyInput } from '../../../contract/agent-api.js';
import type { HelpdeskTransaction } from '../../../store/helpdesk-port.js';
import { agentActor } from '../../activity/activity.js';
import { assign } from '../../conversation-changes.js';
import { ConversationRepliedError, unprocessable } from '../../errors.js';
import { draftMessage, messageFor } from '../../messages.js';
import { heldByPerson, type Agent, type Message } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/**
 * An agent's reply (public) or note (private). A reply to a conversation Fin holds, or nobody
 * does (a deactivated agent counts as nobody), takes it for the agent in the same transaction: once a person answers, Fin steps back.
 * Either way Fin is told, and pulls the new message (it shows the end-user only public ones).
 *
 * With `last_seen_message_id`, a reply someone else's newer reply would contradict is not sent:
 * 409 `conversation_replied` with the messages since (`ConversationRepliedError`; issue 12,
 * item 3). The first public reply by a person since the hand-over is recorded as activity
 * (`first_human_reply`, which stops the SLA clock) in the reply's transaction.
 */
export async function reply(ctx: HelpdeskContext, agent: Agent, conversationId: string, input: ReplyInput): Promise<Message> {
  const visibility = input.visibility ?? 'public';
  const at = ctx.now().toISOString();
  const draft = draftMessage({ body: input.body, visibility, attachments: input.attachments, author: { id: agent.id, user_type: 'agent' } }, at, '');
  let message: Message | undefined;
  let firstHumanReply = false;
  await changeConversation(
    ctx,
    conversationId,
    async (current, tx) => {
      if (input.last_seen_message_id !== undefined) await refuseIfRepliedSince(tx, current.id, input.last_seen_message_id, agent.id);
      message = (await tx.insertMessage(await messageFor(tx, current, draft, '', { authorIsCaller: true }))).value;
      firstHumanReply = visibility === 'public' && current.handedOverAt !== null;
      const changes = visibility === 'public' && !heldByPerson(current.assignee) ? assign({}, current, agent.id) : {};
      // Answering is reading: the holder's unread marker goes (a colleague's reply leaves it).
      const holder = changes.assigneeId ?? current.assignee?.id;
      return current.unreadAt !== null && visibility === 'public' && holder === agent.id ? { ...changes, unreadAt: null } : changes;
    },
    {
      changedAnyway: true,
      // The agent takes it by replying: their own doing (no "assigned to you" email), recorded before their first reply.
      actor: agentActor(agent.id),
      activity: (updated, recordedAt) =>
        firstHumanReply && message
          ? [
              {
                conversationId: updated.id,
                at: recordedAt,
                kind: 'first_human_reply',
                actor: agentActor(agent.id),
                details: { agentId: agent.id, messageId: message.id },
              },
            ]
          : [],
    },
  );
  return message!;
}

/**
 * Throws `ConversationRepliedError` when, after `lastSeenId`, a public message by anyone on the
 * helpdesk's side but `agentId` (a colleague, or Fin) was written: what the end-user has been told
 * since. A private note does not count (it told the end-user nothing), nor does the end-user's own
 * message (the agent is answering them). The error carries the newest 200 messages since, oldest
 * first. 422 when `lastSeenId` is no message of the conversation.
 */
async function refuseIfRepliedSince(tx: HelpdeskTransaction, conversationId: string, lastSeenId: string, agentId: string): Promise<void> {
  // One read that stops at the first such reply, and at most a page of messages to show: however
  // long the thread, and however far back the message seen, the conversation stays locked briefly.
  const replied = await tx.repliedSince(conversationId, lastSeenId, agentId);
  if (replied === undefined) {
    throw unprocessable('message_not_found', `No message of this conversation has the id ${JSON.stringify(lastSeenId)}.`, '/last_seen_message_id');
  }
  if (replied) throw new ConversationRepliedError((await tx.listMessagesSince(conversationId, lastSeenId, THREAD_PAGE.maximum)) ?? []);
}
