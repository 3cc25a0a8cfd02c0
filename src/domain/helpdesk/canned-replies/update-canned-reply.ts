import type { CannedReplyPatch } from '../../../contract/canned-replies.js';
import type { CannedReply } from '../../../store/canned-reply-port.js';
import { notFound } from '../../errors.js';
import { shortcutChecked, title, type CannedReplyContext } from './canned-reply-rules.js';

/** Changes the fields given: 404 when unknown, 409 `shortcut_taken`, 422 `empty_title`. */
export async function updateCannedReply(ctx: CannedReplyContext, id: string, patch: CannedReplyPatch): Promise<CannedReply> {
  const changes = { ...patch, ...(patch.title === undefined ? {} : { title: title(patch.title) }) };
  const at = ctx.now().toISOString();
  const updated = await shortcutChecked(() => ctx.transaction((tx) => tx.cannedReplies.updateCannedReply(id, changes, at)));
  if (!updated) throw notFound('canned_reply', id);
  return updated;
}
