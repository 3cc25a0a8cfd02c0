/** Canned replies: the team's shared texts, inserted with `/shortcut` in the inbox's composer. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { IdParams } from '../../../contract/agent-api.js';
import { CannedReplyPatch, CannedReplyView, NewCannedReplyInput } from '../../../contract/canned-replies.js';
import { presentCannedReply as present } from '../presenters.js';
import { createCannedReply } from '../../../domain/helpdesk/canned-replies/create-canned-reply.js';
import { deleteCannedReply } from '../../../domain/helpdesk/canned-replies/delete-canned-reply.js';
import { listCannedReplies } from '../../../domain/helpdesk/canned-replies/list-canned-replies.js';
import { updateCannedReply } from '../../../domain/helpdesk/canned-replies/update-canned-reply.js';
import { callerOf } from '../auth.js';
import type { AgentApiOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

const TAGS = ['Agent API: canned replies'];

export const cannedReplyRoutes: FastifyPluginAsync<AgentApiOptions> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/canned-replies',
    {
      schema: routeSchema(
        {
          operationId: 'listCannedReplies',
          summary: 'Canned replies',
          description: 'Every canned reply, by shortcut.',
          response: { 200: Type.Array(CannedReplyView) },
        },
        TAGS,
      ),
    },
    async () => (await listCannedReplies(ctx)).map(present),
  );

  app.post(
    '/canned-replies',
    {
      schema: routeSchema(
        {
          operationId: 'createCannedReply',
          summary: 'Add a canned reply',
          description: 'A shortcut already in use: 409.',
          body: NewCannedReplyInput,
          response: { 201: CannedReplyView },
        },
        TAGS,
      ),
    },
    async (request, reply) => reply.code(201).send(present(await createCannedReply(ctx, callerOf(request).agent, request.body))),
  );

  app.patch(
    '/canned-replies/:id',
    {
      schema: routeSchema(
        { operationId: 'updateCannedReply', summary: 'Change a canned reply', params: IdParams, body: CannedReplyPatch, response: { 200: CannedReplyView } },
        TAGS,
      ),
    },
    async (request) => present(await updateCannedReply(ctx, request.params.id, request.body)),
  );

  app.delete(
    '/canned-replies/:id',
    { schema: routeSchema({ operationId: 'deleteCannedReply', summary: 'Remove a canned reply', params: IdParams, response: { 204: Type.Null() } }, TAGS) },
    async (request, reply) => {
      await deleteCannedReply(ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
