/**
 * Canned replies: any agent may add, change and remove them (they are the team's shared texts);
 * a shortcut used twice is a conflict.
 */
import type { CannedReplyPatch, NewCannedReplyInput } from '../../contract/canned-replies.js';
import { ShortcutTakenError, type CannedReply, type CannedReplyStore } from '../../store/canned-reply-port.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import type { Agent } from '../model.js';

export interface CannedReplyContext {
  cannedReplies: CannedReplyStore;
  now: () => Date;
}

async function shortcutChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ShortcutTakenError) throw conflict('shortcut_taken', error.message, '/shortcut');
    throw error;
  }
}

export function listCannedReplies(ctx: CannedReplyContext): Promise<CannedReply[]> {
  return ctx.cannedReplies.listCannedReplies();
}

function title(value: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw unprocessable('empty_title', 'The title must not be blank.', '/title');
  return trimmed;
}

export function createCannedReply(ctx: CannedReplyContext, agent: Agent, input: NewCannedReplyInput): Promise<CannedReply> {
  return shortcutChecked(() =>
    ctx.cannedReplies.insertCannedReply({ shortcut: input.shortcut, title: title(input.title), body: input.body, createdBy: agent.id, createdAt: ctx.now().toISOString() }),
  );
}

export async function updateCannedReply(ctx: CannedReplyContext, id: string, patch: CannedReplyPatch): Promise<CannedReply> {
  const updated = await shortcutChecked(() => ctx.cannedReplies.updateCannedReply(id, { ...patch, ...(patch.title === undefined ? {} : { title: title(patch.title) }) }, ctx.now().toISOString()));
  if (!updated) throw notFound('canned_reply', id);
  return updated;
}

export async function deleteCannedReply(ctx: CannedReplyContext, id: string): Promise<void> {
  if (!(await ctx.cannedReplies.deleteCannedReply(id))) throw notFound('canned_reply', id);
}
