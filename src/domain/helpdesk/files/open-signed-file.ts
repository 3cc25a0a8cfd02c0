import { safeEqual } from '../../auth/secrets.js';
import { FinError, notFound } from '../../errors.js';
import type { StoredFile } from '../../../store/file-port.js';
import { sign, type FileContext } from './file-signing.js';

/** The file behind a signed URL: 403 for a wrong signature, 410 once it expired, 404 if gone. */
export async function openSignedFile(ctx: FileContext, id: string, expires: number, signature: string): Promise<StoredFile & { data: Buffer }> {
  if (!safeEqual(signature, await sign(ctx, id, expires))) throw new FinError('forbidden', 'bad_signature', 'This file link is not valid.');
  if (expires * 1000 < ctx.now().getTime()) throw new FinError('gone', 'link_expired', 'This file link has expired.');
  const file = await ctx.files.store.readFile(id);
  if (!file) throw notFound('file', id);
  return file;
}
