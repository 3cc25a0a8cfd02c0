import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { MessageView } from '../api/types.js';
import { Message } from './Message.js';

/** How close to the top (px) the agent scrolls before older messages load. */
const LOAD_OLDER_WITHIN = 600;

/**
 * The conversation's messages, oldest first, opened at the newest; bodies sanitized again here.
 * Only the messages on screen are in the page (virtualized like the list), so a thread of any
 * length stays light. Scrolling near the top loads older messages (`loadOlder`), which appear
 * above without moving what the agent is reading; a new message scrolls to the end.
 */
export function Thread(props: { messages: MessageView[]; hasOlder: boolean; loadingOlder: boolean; olderError: string | null; loadOlder: () => void }) {
  const { messages, hasOlder, loadingOlder, olderError, loadOlder } = props;
  // After a failed page, older ones load again only when the agent asks (Try again): loading on
  // every scroll or render would repeat a failing request many times a second.
  const mayLoad = hasOlder && !loadingOlder && olderError === null;
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 110,
    overscan: 6,
    // By id, so a message keeps its measured height when older ones are put before it.
    getItemKey: (index) => messages[index]!.id,
  });

  // Where the agent was reading, kept across a render that adds messages before it: the first
  // message on screen and how far above the top of the view it started.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  /** Whether the view shows the end of the thread (as it opens): it stays there as pages come in. */
  const atEnd = useRef(true);
  const firstId = messages[0]?.id;
  const lastId = messages.at(-1)?.id;
  const shown = useRef<{ firstId?: string | undefined; lastId?: string | undefined }>({});

  useLayoutEffect(() => {
    const before = shown.current;
    shown.current = { firstId, lastId };
    if (lastId !== before.lastId) {
      // Opened, or a new message: show the newest.
      if (messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    } else if (firstId !== before.firstId && atEnd.current) {
      // Older messages came in while the newest were shown (a page that did not fill the view).
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    } else if (firstId !== before.firstId && anchor.current) {
      // Older messages came in above: keep the one the agent was reading where it was.
      const index = messages.findIndex((message) => message.id === anchor.current!.id);
      const item = index < 0 ? undefined : virtualizer.measurementsCache[index];
      if (item) virtualizer.scrollToOffset(item.start + anchor.current.offset);
    }
  }, [firstId, lastId, messages, virtualizer]);

  const remember = () => {
    const element = parent.current;
    const top = element && virtualizer.getVirtualItems().find((item) => item.end > element.scrollTop);
    anchor.current = top ? { id: String(top.key), offset: element.scrollTop - top.start } : null;
  };
  const onScroll = () => {
    remember();
    const element = parent.current;
    if (!element) return;
    atEnd.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
    if (mayLoad && element.scrollTop < LOAD_OLDER_WITHIN) loadOlder();
  };
  // A page that does not fill the view cannot be scrolled up: load on until it does.
  useEffect(() => {
    const element = parent.current;
    if (element && mayLoad && element.scrollHeight <= element.clientHeight) loadOlder();
  });

  return (
    <div className="thread-pane">
      {/* Above the scrolled messages, so that it never moves them. */}
      <p className="thread-start" role="status">
        {olderError !== null ? (
          <>
            Earlier messages could not be loaded. {olderError}{' '}
            <button type="button" className="link" onClick={loadOlder}>
              Try again
            </button>
          </>
        ) : loadingOlder ? (
          'Loading earlier messages…'
        ) : hasOlder ? (
          ''
        ) : (
          'Start of the conversation'
        )}
      </p>
      <div className="thread" ref={parent} onScroll={onScroll}>
        <ol aria-label="Messages" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const message = messages[row.index]!;
            return (
              <li
                key={row.key}
                data-index={row.index}
                ref={virtualizer.measureElement}
                className="thread-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}
              >
                <Message message={message} />
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
