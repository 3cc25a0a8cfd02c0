/**
 * Files agents attach to replies. Fin accepts only HTTPS attachment URLs, so uploads need Finch's
 * public URL to be HTTPS; each file is then served at a signed URL that expires, so a link that
 * leaks stops working and nobody can guess their way to other files.
 */
import { createHmac } from 'node:crypto';
import type { HelpdeskContext } from '../context.js';

/** What serving a signed file needs of the helpdesk (http/files.ts passes the whole context). */
export type FileContext = Pick<HelpdeskContext, 'files' | 'now'>;

/** The URL signature of file `id` until `expires` (Unix seconds): HMAC-SHA-256 with the database's key, base64url. */
export async function sign(ctx: FileContext, id: string, expires: number): Promise<string> {
  return createHmac('sha256', await ctx.files.store.fileSigningKey())
    .update(`${id}:${expires}`)
    .digest('base64url');
}
