/**
 * A conversation's thread as the inbox holds it: the newest messages, read again after every
 * change (GET /conversations/{id}), and the older pages the agent scrolled back to
 * (…/messages?before=), read once. Messages are added, never changed, and nearly always at the
 * end; one that Fin dated in the past can land among the held ones, which `message_count` shows.
 * So a change costs one read however far back the agent scrolled, and what is shown stays one
 * unbroken run. Free of React, so the rules can be checked on their own.
 */
import type { ConversationDetail, MessagePage, MessageView } from '../api/types.js';

export interface ThreadState {
  /** The latest read of the conversation. */
  detail: ConversationDetail;
  /** Every message from the first read's oldest on, oldest first, kept current by each read. */
  newest: MessageView[];
  /** Reads the messages before `newest` (the first read's cursor); null when it starts at the first message. */
  newestCursor: string | null;
  /** The older pages read so far, oldest first. */
  older: MessageView[];
  /** Reads the messages before `older`; undefined until a page was read (then `newestCursor` is next). */
  olderCursor: string | null | undefined;
}

/** The messages to show, oldest first. */
export const messagesOf = (state: ThreadState): MessageView[] => (state.older.length === 0 ? state.newest : [...state.older, ...state.newest]);

/** The cursor of the next older page, or null when the thread's first message is shown. */
export const nextOlderCursor = (state: ThreadState): string | null => (state.olderCursor === undefined ? state.newestCursor : state.olderCursor);

/**
 * A fresh read of the conversation put together with what is held. Its messages replace the held
 * ones from its first message on. The thread starts over from this read, older pages dropped, so
 * that nothing is missing, when that first message is not held (more messages arrived since the
 * last read than a page holds) or when the conversation has more messages than those held and
 * those new in this read (one was written among the held ones).
 */
export function withRead(state: ThreadState | null, detail: ConversationDetail): ThreadState {
  const fresh = { detail, newest: detail.messages, newestCursor: detail.messages_cursor, older: [], olderCursor: undefined };
  const first = detail.messages[0];
  if (!state || !first || detail.messages_cursor === null) return fresh;
  const at = state.newest.findIndex((message) => message.id === first.id);
  if (at < 0) return fresh;
  const held = new Set(state.newest.slice(at).map((message) => message.id));
  const added = detail.messages.filter((message) => !held.has(message.id)).length;
  if (detail.message_count !== state.detail.message_count + added) return fresh;
  return { ...state, detail, newest: [...state.newest.slice(0, at), ...detail.messages] };
}

/** An older page read from `cursor` put before what is held; ignored when it is not the page that comes next (the thread started over meanwhile). */
export function withOlderPage(state: ThreadState, cursor: string, page: MessagePage): ThreadState {
  if (nextOlderCursor(state) !== cursor) return state;
  return { ...state, older: [...page.messages, ...state.older], olderCursor: page.messages_cursor };
}
