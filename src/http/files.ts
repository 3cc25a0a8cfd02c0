/**
 * Attached files at their signed URLs (`/files/:id/:name?expires=&signature=`): no session needed
 * (Fin and end-users fetch them), the signature and its expiry are the permission.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { SignedFileParams, SignedFileQuery } from '../contract/files.js';
import type { FileContext } from '../domain/helpdesk/files/file-signing.js';
import { openSignedFile } from '../domain/helpdesk/files/open-signed-file.js';

/** Shown inline only when a browser cannot be tricked into running it. */
const INLINE = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)(;|$)/;

export const signedFiles: FastifyPluginAsync<{ ctx: FileContext }> = async (fastify, { ctx }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/files/:id/:name', { schema: { hide: true, params: SignedFileParams, querystring: SignedFileQuery } }, async (request, reply) => {
    const file = await openSignedFile(ctx, request.params.id, request.query.expires, request.query.signature);
    const inline = INLINE.test(file.contentType);
    return reply
      .headers({
        'content-type': inline ? file.contentType : 'application/octet-stream',
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'private, max-age=3600',
      })
      .send(file.data);
  });
};
