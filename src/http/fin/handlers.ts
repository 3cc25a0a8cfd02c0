/**
 * Each operation of the contract bound to its use case and presented in the caller's variant.
 */
import type { Variant } from '../../contract/models.js';
import type { OperationName } from '../../contract/operations.js';
import type * as In from '../../contract/requests.js';
import type { FinContext } from '../../domain/context.js';
import { createConversation } from '../../domain/fin/create-conversation.js';
import { createMessage } from '../../domain/fin/create-message.js';
import { createUser } from '../../domain/fin/create-user.js';
import { getAgents } from '../../domain/fin/get-agents.js';
import { getConversation } from '../../domain/fin/get-conversation.js';
import { getMessages } from '../../domain/fin/get-messages.js';
import { getUser } from '../../domain/fin/get-user.js';
import { updateConversation } from '../../domain/fin/update-conversation.js';
import { updateUser } from '../../domain/fin/update-user.js';
import { presentAgent, presentConversation, presentCreatedConversation, presentMessage, presentMessages, presentUser } from './presenters.js';

export interface HandlerResult {
  payload: unknown;
  /** An idempotent create that returned the object made the first time. */
  replayed: boolean;
}

// Each operation's input is its TypeBox schema's type, checked by the route; the table of handlers holds them all.
// biome-ignore lint/suspicious/noExplicitAny: a function type over every operation's input (parameters are contravariant)
type Handler = (ctx: FinContext, input: any, variant: Variant) => Promise<HandlerResult>;

const fresh = (payload: unknown): HandlerResult => ({ payload, replayed: false });

export const HANDLERS: Record<OperationName, Handler> = {
  get_user: async (ctx, input: In.GetUserInput) => fresh(presentUser(await getUser(ctx, input))),
  update_user: async (ctx, input: In.UpdateUserInput) => fresh(presentUser(await updateUser(ctx, input))),
  create_user: async (ctx, input: In.CreateUserInput) => {
    const { value, replayed } = await createUser(ctx, input);
    return { payload: presentUser(value), replayed };
  },
  get_agents: async (ctx, _input, variant) => fresh((await getAgents(ctx)).map((agent) => presentAgent(agent, variant))),
  get_conversation: async (ctx, input: In.GetConversationInput, variant) => fresh(presentConversation(await getConversation(ctx, input), variant)),
  update_conversation: async (ctx, input: In.UpdateConversationInput, variant) => fresh(presentConversation(await updateConversation(ctx, input), variant)),
  create_conversation: async (ctx, input: In.CreateConversationInput, variant) => {
    const { value, replayed } = await createConversation(ctx, input);
    return { payload: presentCreatedConversation(value, variant), replayed };
  },
  get_messages: async (ctx, input: In.GetMessagesInput, variant) => fresh(presentMessages(await getMessages(ctx, input), variant)),
  create_message: async (ctx, input: In.CreateMessageInput, variant) => {
    const { value, replayed } = await createMessage(ctx, input);
    return { payload: presentMessage(value, variant), replayed };
  },
};
