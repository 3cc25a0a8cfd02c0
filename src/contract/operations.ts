/**
 * The nine operations of the Fin Custom Helpdesk API and how each variant exposes them (spec §2).
 * Routes, the OpenAPI document, the Fin emulator and the conformance checker are all driven by
 * this one table.
 */
import Type, { type TSchema } from 'typebox';
import { MODELS, type Variant } from './models.js';
import * as In from './requests.js';

export type OperationName =
  | 'get_user'
  | 'update_user'
  | 'create_user'
  | 'get_agents'
  | 'get_conversation'
  | 'update_conversation'
  | 'create_conversation'
  | 'get_messages'
  | 'create_message';

export type OutputModel = 'EndUser' | 'Agents' | 'Conversation' | 'CreatedConversation' | 'Messages' | 'Message';

export interface Operation {
  name: OperationName;
  summary: string;
  description: string;
  input: TSchema;
  output: OutputModel;
  /** REST variant: method and path under the base path; GET inputs travel in the query string. */
  rest: { method: 'GET' | 'PUT' | 'POST'; path: string; status: 200 | 201 };
  /** POST-only variant: the path under the base path; always POST, always 200, enveloped. */
  post: { path: string };
  /** Whether the operation creates an object and is idempotent by `object_id`. */
  creates: boolean;
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: 'get_user',
    summary: 'Get User',
    description: 'Loads an end-user. Unknown id: 404.',
    input: In.GetUserInput,
    output: 'EndUser',
    rest: { method: 'GET', path: '/user', status: 200 },
    post: { path: '/get_user' },
    creates: false,
  },
  {
    name: 'update_user',
    summary: 'Update User',
    description:
      "Merges attributes key by key into the end-user's attributes (a key sent as null is removed); name, email and photo_url, when sent, replace the stored ones (trimmed; blank as null).",
    input: In.UpdateUserInput,
    output: 'EndUser',
    rest: { method: 'PUT', path: '/user', status: 200 },
    post: { path: '/update_user' },
    creates: false,
  },
  {
    name: 'create_user',
    summary: 'Create User',
    description: 'Creates an end-user. Idempotent by object_id: a repeat returns the first user with `Idempotent-Replayed: true`.',
    input: In.CreateUserInput,
    output: 'EndUser',
    rest: { method: 'POST', path: '/user', status: 201 },
    post: { path: '/create_user' },
    creates: true,
  },
  {
    name: 'get_agents',
    summary: 'Get Agents',
    description: 'All active agents, the one that represents Fin among them.',
    input: In.GetAgentsInput,
    output: 'Agents',
    rest: { method: 'GET', path: '/agents', status: 200 },
    post: { path: '/get_agents' },
    creates: false,
  },
  {
    name: 'get_conversation',
    summary: 'Get Conversation',
    description: 'Loads a conversation with its end-user and assignee. Unknown id: 404.',
    input: In.GetConversationInput,
    output: 'Conversation',
    rest: { method: 'GET', path: '/conversation', status: 200 },
    post: { path: '/get_conversation' },
    creates: false,
  },
  {
    name: 'update_conversation',
    summary: 'Update Conversation',
    description:
      'Called at the end of every synchronization and for handover (`assignee_id: null`). Tags replace the set; ' +
      'attributes merge key by key. While a human agent is assigned, the assignee is left as it is (human takeover wins).',
    input: In.UpdateConversationInput,
    output: 'Conversation',
    rest: { method: 'PUT', path: '/conversation', status: 200 },
    post: { path: '/update_conversation' },
    creates: false,
  },
  {
    name: 'create_conversation',
    summary: 'Create Conversation',
    description:
      'Creates a conversation with its initial message, open and assigned to the Fin agent. The end-user is given as ' +
      '`user_id` or as a `user` object (an unknown `user.id` creates that user). Idempotent by object_id.',
    input: In.CreateConversationInput,
    output: 'CreatedConversation',
    rest: { method: 'POST', path: '/conversation', status: 201 },
    post: { path: '/create_conversation' },
    creates: true,
  },
  {
    name: 'get_messages',
    summary: 'Get Messages',
    description:
      'Messages oldest first (ties broken by id), private notes included; with after_id only those after that message. ' +
      'An after_id that matches no message of the conversation returns the whole history.',
    input: In.GetMessagesInput,
    output: 'Messages',
    rest: { method: 'GET', path: '/messages', status: 200 },
    post: { path: '/get_messages' },
    creates: false,
  },
  {
    name: 'create_message',
    summary: 'Create Message',
    description:
      "Mirrors an end-user's message or one of Fin's answers. Needs a body, an attachment or both; HTML is sanitized " +
      'to the tags Fin supports; attachment URLs must be HTTPS. Idempotent by object_id.',
    input: In.CreateMessageInput,
    output: 'Message',
    rest: { method: 'POST', path: '/messages', status: 201 },
    post: { path: '/create_message' },
    creates: true,
  },
];

/** The response schema of an operation in a variant, before the POST-only envelope. */
export function outputSchema(output: OutputModel, variant: Variant): TSchema {
  const models = MODELS[variant];
  switch (output) {
    case 'EndUser':
      return models.EndUser;
    case 'Agents':
      return Type.Array(models.Agent);
    case 'Conversation':
      return models.Conversation;
    case 'CreatedConversation':
      return models.CreatedConversation;
    case 'Messages':
      return Type.Array(models.Message);
    case 'Message':
      return models.Message;
  }
}

export function operation(name: OperationName): Operation {
  const found = OPERATIONS.find((op) => op.name === name);
  if (!found) throw new Error(`unknown operation ${name}`);
  return found;
}
