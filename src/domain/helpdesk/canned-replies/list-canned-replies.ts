import type { CannedReply } from '../../../store/canned-reply-port.js';
import type { CannedReplyContext } from './canned-reply-rules.js';

/** Every canned reply, by shortcut. */
export function listCannedReplies(ctx: CannedReplyContext): Promise<CannedReply[]> {
  return ctx.cannedReplies.listCannedReplies();
}
