/**
 * Uploading a file to attach to a reply: the request body is the file itself (any content-type),
 * up to FINCH_ATTACHMENT_LIMIT. The answer is a signed HTTPS URL to put in the reply.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { UploadedAttachment, UploadQuery } from '../../../contract/files.js';
import { uploadFile } from '../../../domain/helpdesk/files/upload-file.js';
import { callerOf } from '../auth.js';
import type { AgentApiOptions } from '../agent-route-options.js';
import { routeSchema } from '../route-schema.js';

export const attachmentRoutes: FastifyPluginAsync<AgentApiOptions & { attachmentLimitBytes: number }> = async (fastify, { ctx, attachmentLimitBytes }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Only here: any body is the file, kept as bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: attachmentLimitBytes }, (_request, body, done) => done(null, body));

  app.post(
    '/attachments',
    {
      bodyLimit: attachmentLimitBytes,
      schema: routeSchema(
        {
          operationId: 'uploadAttachment',
          summary: 'Upload a file to attach to a reply',
          description:
            'The body is the file, with its content-type. Needs FINCH_PUBLIC_URL to be HTTPS (Fin accepts only HTTPS attachments): 422 otherwise. Too large: 413.',
          querystring: UploadQuery,
          response: { 201: UploadedAttachment },
        },
        ['Agent API: conversations'],
      ),
    },
    async (request, reply) => {
      const data = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const uploaded = await uploadFile(ctx, callerOf(request).agent, {
        filename: request.query.filename,
        contentType: request.headers['content-type'] ?? 'application/octet-stream',
        data,
      });
      return reply.code(201).send({
        id: uploaded.file.id,
        url: uploaded.url,
        filename: uploaded.file.filename,
        filetype: uploaded.filetype,
        content_type: uploaded.file.contentType,
        size: uploaded.file.size,
        expires_at: uploaded.expiresAt,
      });
    },
  );
};
