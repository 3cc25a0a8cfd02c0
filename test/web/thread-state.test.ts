/**
 * How the inbox holds a thread (web/src/resources/thread.ts): each read of the conversation is put
 * together with the older pages already read, so a change costs one read and what is shown stays
 * one unbroken run.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationDetail, MessageView } from '../../web/src/api/types.js';
import { messagesOf, nextOlderCursor, withOlderPage, withRead } from '../../web/src/resources/thread.js';

const message = (n: number): MessageView =>
  ({ id: `msg_${String(n).padStart(4, '0')}`, body: `<p>${n}</p>`, created_at: new Date(n * 1000).toISOString() }) as MessageView;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => message(from + index));
/** A read of the conversation holding messages from..to-1 of a thread of `count` (default: to). */
const read = (from: number, to: number, cursor: string | null = `before ${from}`, count = to) =>
  ({
    conversation: { id: 'conv_1' },
    user: { id: 'user_1' },
    messages: range(from, to),
    messages_cursor: cursor,
    message_count: count,
  }) as unknown as ConversationDetail;
const ids = (messages: MessageView[]) => messages.map((m) => Number(m.id.slice(4)));

describe('a thread held by the inbox', () => {
  it('starts from the first read, and reads older pages from its cursor, then from each page’s', () => {
    let state = withRead(null, read(150, 200));
    expect(ids(messagesOf(state))).toEqual(ids(range(150, 200)));
    expect(nextOlderCursor(state)).toBe('before 150');
    state = withOlderPage(state, 'before 150', { messages: range(100, 150), messages_cursor: 'before 100' });
    expect(ids(messagesOf(state))).toEqual(ids(range(100, 200)));
    expect(nextOlderCursor(state)).toBe('before 100');
    state = withOlderPage(state, 'before 100', { messages: range(0, 100), messages_cursor: null });
    expect(ids(messagesOf(state))).toEqual(ids(range(0, 200)));
    expect(nextOlderCursor(state)).toBeNull();
  });

  it('keeps the older pages when a new read overlaps what is held, replacing the held messages from its first on', () => {
    let state = withRead(null, read(150, 200));
    state = withOlderPage(state, 'before 150', { messages: range(100, 150), messages_cursor: 'before 100' });
    // Ten new messages: the newest page now starts ten later.
    const newer = read(160, 210, 'before 160');
    state = withRead(state, newer);
    expect(ids(messagesOf(state))).toEqual(ids(range(100, 210)));
    expect(state.detail).toBe(newer);
    // The older pages go on from where they were.
    expect(nextOlderCursor(state)).toBe('before 100');
  });

  it('starts over when more arrived than a page holds (a gap), or when a read holds the whole thread', () => {
    let state = withRead(null, read(150, 200));
    state = withOlderPage(state, 'before 150', { messages: range(100, 150), messages_cursor: 'before 100' });
    const gap = withRead(state, read(260, 310, 'before 260'));
    expect(ids(messagesOf(gap))).toEqual(ids(range(260, 310)));
    expect(nextOlderCursor(gap)).toBe('before 260');
    const whole = withRead(state, read(0, 30, null));
    expect(ids(messagesOf(whole))).toEqual(ids(range(0, 30)));
    expect(nextOlderCursor(whole)).toBeNull();
  });

  it('starts over when a message was written among the held ones (Fin dated it in the past)', () => {
    let state = withRead(null, read(150, 200));
    state = withOlderPage(state, 'before 150', { messages: range(100, 150), messages_cursor: 'before 100' });
    // Five new at the end, and one more somewhere before the newest page: 206 in all.
    const moved = withRead(state, read(155, 205, 'before 155', 206));
    expect(ids(messagesOf(moved))).toEqual(ids(range(155, 205)));
    expect(nextOlderCursor(moved)).toBe('before 155');
    // Without it, the same read is put together with what is held.
    expect(ids(messagesOf(withRead(state, read(155, 205, 'before 155', 205))))).toEqual(ids(range(100, 205)));
  });

  it('drops an older page that arrives after the thread started over', () => {
    let state = withRead(null, read(150, 200));
    state = withRead(state, read(260, 310, 'before 260'));
    const late = withOlderPage(state, 'before 150', { messages: range(100, 150), messages_cursor: 'before 100' });
    expect(late).toBe(state);
  });
});
