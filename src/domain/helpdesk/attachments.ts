/**
 * Files agents attach to replies. Fin accepts only HTTPS attachment URLs, so uploads need Finch's
 * public URL to be HTTPS; each file is then served at a signed URL that expires, so a link that
 * leaks stops working and nobody can guess their way to other files.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../auth/secrets.js';
import { extension } from '../content.js';
import { FinError, notFound, unprocessable } from '../errors.js';
import { newId } from '../ids.js';
import type { Agent } from '../model.js';
import type { FileStore, StoredFile } from '../../store/file-port.js';

export interface FileContext {
  files: FileStore;
  /** FINCH_PUBLIC_URL: where Fin and browsers reach Finch. */
  publicUrl: string;
  /** How long a file URL works (FINCH_ATTACHMENT_URL_TTL). */
  fileUrlTtlSeconds: number;
  now: () => Date;
}

export interface UploadedFile {
  file: StoredFile;
  url: string;
  filetype: string;
  expiresAt: string;
}

export async function uploadFile(ctx: FileContext, agent: Agent, input: { filename: string; contentType: string; data: Buffer }): Promise<UploadedFile> {
  if (!ctx.publicUrl.startsWith('https://')) {
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
    contentType: input.contentType || 'application/octet-stream',
    size: input.data.length,
    uploadedBy: agent.id,
    createdAt: ctx.now().toISOString(),
  };
  await ctx.files.saveFile({ ...file, data: input.data });
  const expires = Math.floor(ctx.now().getTime() / 1000) + ctx.fileUrlTtlSeconds;
  return {
    file,
    url: `${ctx.publicUrl}/files/${file.id}/${encodeURIComponent(filename)}?expires=${expires}&signature=${await sign(ctx, file.id, expires)}`,
    filetype: filetypeOf(filename, file.contentType),
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

/** The file behind a signed URL: 403 for a wrong signature, 410 once it expired, 404 if gone. */
export async function openSignedFile(ctx: FileContext, id: string, expires: number, signature: string): Promise<StoredFile & { data: Buffer }> {
  if (!safeEqual(signature, await sign(ctx, id, expires))) throw new FinError('forbidden', 'bad_signature', 'This file link is not valid.');
  if (expires * 1000 < ctx.now().getTime()) throw new FinError('gone', 'link_expired', 'This file link has expired.');
  const file = await ctx.files.readFile(id);
  if (!file) throw notFound('file', id);
  return file;
}

async function sign(ctx: FileContext, id: string, expires: number): Promise<string> {
  return createHmac('sha256', await ctx.files.fileSigningKey()).update(`${id}:${expires}`).digest('base64url');
}

/** A name to show and to put in a URL: no directories, no control characters, not too long. */
function cleanFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'attachment').slice(0, 200);
}

function filetypeOf(filename: string, contentType: string): string {
  return extension(filename) || contentType.split('/')[1]?.split(';')[0]?.toLowerCase() || 'file';
}
