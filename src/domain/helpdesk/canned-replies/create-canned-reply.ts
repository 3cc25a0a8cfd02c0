import type { NewCannedReplyInput } from '../../../contract/canned-replies.js';
import type { CannedReply } from '../../../store/canned-reply-port.js';
import type { Agent } from '../../model.js';
import { shortcutChecked, title, type CannedReplyContext } from './canned-reply-rules.js';

/** Adds a canned reply written by `agent`: 409 `shortcut_taken`, 422 `empty_title`. */
export function createCannedReply(ctx: CannedReplyContext, agent: Agent, input: NewCannedReplyInput): Promise<CannedReply> {
  const reply = { shortcut: input.shortcut, title: title(input.title), body: input.body, createdBy: agent.id, createdAt: ctx.now().toISOString() };
  return shortcutChecked(() => ctx.transaction((tx) => tx.cannedReplies.insertCannedReply(reply)));
}
