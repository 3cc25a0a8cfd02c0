import type { StoredFile } from '../../../store/file-port.js';
import { unprocessable } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Agent } from '../../model.js';
import { cleanContentType, cleanFilename, filetypeOf, urlSegment } from './file-names.js';
import type { HelpdeskContext } from '../context.js';
import { sign } from './file-signing.js';

export interface UploadedFile {
  file: StoredFile;
  url: string;
  filetype: string;
  expiresAt: string;
}

/**
 * Keeps an agent's file and gives its signed URL, valid `files.urlTtlSeconds`. 422 `https_required`
 * when FINCH_PUBLIC_URL is not HTTPS (Fin accepts only HTTPS attachment URLs), `empty_file`.
 */
export async function uploadFile(
  ctx: Pick<HelpdeskContext, 'transaction' | 'files' | 'now'>,
  agent: Agent,
  input: { filename: string; contentType: string; data: Buffer },
): Promise<UploadedFile> {
  if (!ctx.files.publicUrl.startsWith('https://')) {
    throw unprocessable(
      'https_required',
      "Attachments need Finch's public URL to be HTTPS (FINCH_PUBLIC_URL): Fin accepts only HTTPS attachment URLs. Link to a file hosted elsewhere instead.",
    );
  }
  if (input.data.length === 0) throw unprocessable('empty_file', 'The file is empty.');
  const filename = cleanFilename(input.filename);
  const file: StoredFile = {
    id: newId('file'),
    filename,
    contentType: cleanContentType(input.contentType),
    size: input.data.length,
    uploadedBy: agent.id,
    createdAt: ctx.now().toISOString(),
  };
  await ctx.transaction((tx) => tx.files.saveFile({ ...file, data: input.data }));
  const expires = Math.floor(ctx.now().getTime() / 1000) + ctx.files.urlTtlSeconds;
  return {
    file,
    url: `${ctx.files.publicUrl}/files/${file.id}/${urlSegment(filename)}?expires=${expires}&signature=${await sign(ctx, file.id, expires)}`,
    filetype: filetypeOf(filename, file.contentType),
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}
