import { agentActor } from '../../activity/activity.js';
import { assign } from '../../conversation-changes.js';
import type { Agent, Conversation } from '../../model.js';
import { changeConversation } from './change-conversation.js';
import type { HelpdeskContext } from '../context.js';

/** "Assign to me": the agent takes the conversation, from Fin, from the queue or from a colleague (activity: assigned, `manual`). */
export function takeOver(ctx: HelpdeskContext, agent: Agent, conversationId: string): Promise<Conversation> {
  return changeConversation(ctx, conversationId, (current) => assign({}, current, agent.id), { actor: agentActor(agent.id) });
}
