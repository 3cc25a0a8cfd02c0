/**
 * Files agents attach to replies. Fin accepts only HTTPS attachment URLs, so uploads need Finch's
 * public URL to be HTTPS; each file is then served at a signed URL that expires, so a link that
 * leaks stops working and nobody can guess their way to other files.
 */
import { createHmac } from 'node:crypto';
import type { FileStore } from '../../../store/file-port.js';

export interface FileContext {
  files: FileStore;
  /** FINCH_PUBLIC_URL: where Fin and browsers reach Finch. */
  publicUrl: string;
  /** How long a file URL works (FINCH_ATTACHMENT_URL_TTL). */
  fileUrlTtlSeconds: number;
  now: () => Date;
}

/** The URL signature of file `id` until `expires` (Unix seconds): HMAC-SHA-256 with the database's key, base64url. */
export async function sign(ctx: FileContext, id: string, expires: number): Promise<string> {
  return createHmac('sha256', await ctx.files.fileSigningKey()).update(`${id}:${expires}`).digest('base64url');
}
