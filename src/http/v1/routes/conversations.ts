/** The inbox: queues, conversations, replies and notes, assignment, typing, end-users. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import {
  ConversationDetail,
  ConversationDetailQuery,
  ConversationListQuery,
  ConversationPage,
  ConversationParams,
  ConversationPatch,
  ConversationView,
  EndUserPatch,
  EndUserView,
  IdParams,
  MessagePage,
  MessagePageQuery,
  MessageView,
  QueueCounts,
  ReplyInput,
  TypingResult,
} from '../../../contract/agent-api.js';
import { ConversationRepliedResponse } from '../../../contract/presence.js';
import { conversationDetail } from '../../../domain/helpdesk/conversations/conversation-detail.js';
import { countQueues } from '../../../domain/helpdesk/conversations/count-queues.js';
import { listConversations } from '../../../domain/helpdesk/conversations/list-conversations.js';
import { listMessages } from '../../../domain/helpdesk/conversations/list-messages.js';
import { editConversation } from '../../../domain/helpdesk/conversations/edit-conversation.js';
import { handBack } from '../../../domain/helpdesk/conversations/hand-back.js';
import { reply } from '../../../domain/helpdesk/conversations/reply.js';
import { resync } from '../../../domain/helpdesk/conversations/resync.js';
import { sendTyping } from '../../../domain/helpdesk/conversations/send-typing.js';
import { takeOver } from '../../../domain/helpdesk/conversations/take-over.js';
import { updateEndUser } from '../../../domain/helpdesk/conversations/update-end-user.js';
import type { Conversation } from '../../../domain/model.js';
import { callerOf } from '../auth.js';
import type { AgentApiOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';
import { lastMessageOf, presentConversation, presentEndUser, presentMessage } from '../presenters.js';

const TAGS = ['Agent API: conversations'];

export const conversationRoutes: FastifyPluginAsync<AgentApiOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  /** A conversation after a change, as its agent sees it, with its latest message. */
  const view = async (conversation: Conversation, viewerId: string) => {
    const page = await ctx.conversations.listThreadPage(conversation.id, null, 1, conversation.user);
    return presentConversation(conversation, viewerId, lastMessageOf(page?.messages.at(-1) ?? null));
  };

  app.get(
    '/conversations',
    {
      schema: routeSchema(
        {
          operationId: 'listConversations',
          summary: 'List a queue',
          description: 'waiting is oldest first; the other queues most recent activity first. Pass next_cursor back as cursor for the next page.',
          querystring: ConversationListQuery,
          response: { 200: ConversationPage },
        },
        TAGS,
      ),
    },
    async (request) => {
      const { agent } = callerOf(request);
      const page = await listConversations(ctx, agent, request.query);
      return {
        conversations: page.items.map((item) => presentConversation(item.conversation, agent.id, item.lastMessage)),
        next_cursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/conversations/counts',
    { schema: routeSchema({ operationId: 'countConversations', summary: 'Open conversations per queue', response: { 200: QueueCounts } }, TAGS) },
    async (request) => countQueues(ctx, callerOf(request).agent),
  );

  app.get(
    '/conversations/:id',
    {
      schema: routeSchema(
        {
          operationId: 'getConversation',
          summary: 'A conversation, its end-user and its newest messages',
          description: 'The newest `limit` messages (50 unless given); messages_cursor pages back through the older ones (GET /conversations/{id}/messages).',
          params: ConversationParams,
          querystring: ConversationDetailQuery,
          response: { 200: ConversationDetail },
        },
        TAGS,
      ),
    },
    async (request) => {
      const { agent } = callerOf(request);
      const detail = await conversationDetail(ctx, agent, request.params.id, request.query.limit);
      return {
        conversation: presentConversation(detail.conversation, agent.id, lastMessageOf(detail.lastMessage)),
        user: presentEndUser(detail.user),
        messages: detail.messages.map(presentMessage),
        messages_cursor: detail.messagesCursor,
        message_count: detail.messageCount,
      };
    },
  );

  app.get(
    '/conversations/:id/messages',
    {
      schema: routeSchema(
        {
          operationId: 'listMessages',
          summary: "A page of a conversation's messages",
          description:
            'The newest `limit` messages before `before` (a messages_cursor), private notes included, oldest first, and the cursor for the ones before them.',
          params: ConversationParams,
          querystring: MessagePageQuery,
          response: { 200: MessagePage },
        },
        TAGS,
      ),
    },
    async (request) => {
      const page = await listMessages(ctx, request.params.id, request.query);
      return { messages: page.messages.map(presentMessage), messages_cursor: page.cursor };
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: routeSchema(
        {
          operationId: 'replyToConversation',
          summary: 'Reply or add a note',
          description:
            'A public reply to a conversation Fin (or nobody) holds assigns it to you. Fin is notified either way. ' +
            'With last_seen_message_id: 409 conversation_replied, with the newer messages, when someone else replied since; nothing is sent.',
          params: ConversationParams,
          body: ReplyInput,
          response: { 201: MessageView, 409: ConversationRepliedResponse },
        },
        TAGS,
      ),
    },
    async (request, response) => {
      const message = await reply(ctx, callerOf(request).agent, request.params.id, request.body);
      return response.code(201).send(presentMessage(message));
    },
  );

  app.patch(
    '/conversations/:id',
    {
      schema: routeSchema(
        {
          operationId: 'editConversation',
          summary: 'Edit a conversation',
          params: ConversationParams,
          body: ConversationPatch,
          response: { 200: ConversationView },
        },
        TAGS,
      ),
    },
    async (request) => {
      const { agent } = callerOf(request);
      return view(await editConversation(ctx, agent, request.params.id, request.body), agent.id);
    },
  );

  app.post(
    '/conversations/:id/takeover',
    {
      schema: routeSchema(
        { operationId: 'takeOverConversation', summary: 'Assign to me', params: ConversationParams, response: { 200: ConversationView } },
        TAGS,
      ),
    },
    async (request) => {
      const { agent } = callerOf(request);
      return view(await takeOver(ctx, agent, request.params.id), agent.id);
    },
  );

  app.post(
    '/conversations/:id/handback',
    {
      schema: routeSchema(
        { operationId: 'handBackConversation', summary: 'Hand back to Fin', params: ConversationParams, response: { 200: ConversationView } },
        TAGS,
      ),
    },
    async (request) => {
      const { agent } = callerOf(request);
      return view(await handBack(ctx, agent, request.params.id), agent.id);
    },
  );

  app.post(
    '/conversations/:id/typing',
    {
      schema: routeSchema(
        {
          operationId: 'sendTyping',
          summary: 'Tell Fin you are typing',
          description: 'At most one notification per 3 s; it expires after 5 s.',
          params: ConversationParams,
          response: { 202: TypingResult },
        },
        TAGS,
      ),
    },
    async (request, response) => response.code(202).send({ sent: await sendTyping(ctx, callerOf(request).agent, request.params.id) }),
  );

  app.post(
    '/conversations/:id/resync',
    {
      schema: routeSchema(
        {
          operationId: 'resyncConversation',
          summary: 'Notify Fin of the conversation again',
          description: 'For a conversation not synced with Fin: a fresh sync event; the flag clears once it is delivered. 422 when Fin is not configured.',
          params: ConversationParams,
          response: { 202: Type.Object({ queued: Type.Boolean() }, { additionalProperties: false }) },
        },
        TAGS,
      ),
    },
    async (request, response) => {
      await resync(ctx, request.params.id);
      return response.code(202).send({ queued: true });
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: routeSchema(
        {
          operationId: 'updateEndUser',
          summary: "Edit an end-user's name, email or attributes",
          params: IdParams,
          body: EndUserPatch,
          response: { 200: EndUserView },
        },
        ['Agent API: end-users'],
      ),
    },
    async (request) => presentEndUser(await updateEndUser(ctx, request.params.id, request.body)),
  );
};
