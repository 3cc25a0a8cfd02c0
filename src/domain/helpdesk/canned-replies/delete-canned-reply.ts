import { notFound } from '../../errors.js';
import type { CannedReplyContext } from './canned-reply-rules.js';

/** Removes a canned reply: 404 when unknown. */
export async function deleteCannedReply(ctx: CannedReplyContext, id: string): Promise<void> {
  if (!(await ctx.transaction((tx) => tx.cannedReplies.deleteCannedReply(id)))) throw notFound('canned_reply', id);
}
