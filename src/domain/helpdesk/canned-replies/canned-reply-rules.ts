/**
 * Canned replies: any agent may add, change and remove them (they are the team's shared texts);
 * a shortcut used twice is a conflict. The rules the canned-reply use cases share.
 */
import { ShortcutTakenError } from '../../../store/canned-reply-port.js';
import { conflict, unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** What the canned-reply use cases need of the helpdesk. */
export type CannedReplyContext = Pick<HelpdeskContext, 'transaction' | 'cannedReplies' | 'now'>;

/** Runs `work`, turning the store's `ShortcutTakenError` into 409 `shortcut_taken` at /shortcut. */
export async function shortcutChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ShortcutTakenError) throw conflict('shortcut_taken', error.message, '/shortcut');
    throw error;
  }
}

/** The title trimmed; 422 `empty_title` at /title when nothing is left. */
export function title(value: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw unprocessable('empty_title', 'The title must not be blank.', '/title');
  return trimmed;
}
