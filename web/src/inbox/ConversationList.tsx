import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { ConversationView } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { when } from '../ui/when.js';
import { DueBadge } from './Due.js';

const titleOf = (item: ConversationView) => item.title || item.user.name || item.user.email || 'Untitled';

/**
 * The list beside the conversation: only the rows on screen are in the page; `onEnd` near its end
 * loads more. A conversation with an end-user message its agent has not opened is marked Unread;
 * one whose reply is due says when (Due.tsx), in red once late.
 */
export function ConversationList(props: {
  items: ConversationView[];
  selected: string | null;
  onOpen: (id: string) => void;
  onEnd: () => void;
  error: string | null;
  loading: boolean;
  caption: string;
  empty: string;
}) {
  const { items, selected, onOpen, onEnd } = props;
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => 76, overscan: 8 });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems.at(-1);
  useEffect(() => {
    if (last && last.index >= items.length - 5) onEnd();
  }, [last, items.length, onEnd]);

  return (
    <section className="list" aria-label="Conversations" ref={parent}>
      <p className="list-caption" role="status">
        {props.caption}
      </p>
      <ErrorNote error={props.error} />
      {items.length === 0 && !props.loading && !props.error && <p className="none">{props.empty}</p>}
      {/* biome-ignore lint/a11y/noRedundantRoles: WebKit drops list semantics from a list styled without markers */}
      <ul role="list" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualItems.map((row) => {
          const item = items[row.index]!;
          return (
            <li
              key={item.id}
              data-index={row.index}
              ref={virtualizer.measureElement}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}
            >
              <a
                href={`/c/${encodeURIComponent(item.id)}`}
                className={item.id === selected ? 'row current' : 'row'}
                aria-current={item.id === selected ? 'true' : undefined}
                onClick={(event) => (event.preventDefault(), onOpen(item.id))}
              >
                <Avatar name={item.user.name ?? item.user.email} photoUrl={item.user.photo_url} />
                <span className="row-main">
                  <span className="row-title">{item.unread ? <strong>{titleOf(item)}</strong> : titleOf(item)}</span>
                  <span className="row-preview">{item.last_message?.text ?? ''}</span>
                </span>
                <span className="row-meta">
                  <time dateTime={item.updated_at}>{when(item.updated_at)}</time>
                  <span className={`badge ${item.queue}`}>
                    {item.assignee ? (item.assignee.is_fin ? 'Fin' : item.assignee.name) : item.status === 'open' ? 'Waiting' : item.status}
                  </span>
                  {item.unread && (
                    <span className="badge unread" title={item.unread_at ? `The customer wrote ${when(item.unread_at)}` : undefined}>
                      Unread
                    </span>
                  )}
                  {!item.fin_sync.ok && <span className="badge unsynced">Not synced</span>}
                  <DueBadge conversation={item} />
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
