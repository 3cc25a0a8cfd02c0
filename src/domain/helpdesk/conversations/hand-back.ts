import { agentActor } from '../../activity/activity.js';
import { assign } from '../../conversation-changes.js';
import type { Agent, Conversation } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/** The conversation goes back to Fin, which handles it again from its next sync (activity: assigned to the Fin agent, `manual`). */
export function handBack(ctx: HelpdeskContext, agent: Agent, conversationId: string): Promise<Conversation> {
  return changeConversation(ctx, conversationId, async (current, tx) => assign({}, current, (await tx.findFinAgent()).id), { actor: agentActor(agent.id) });
}
