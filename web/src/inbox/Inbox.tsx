import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorNote, StatusOptions } from '../ui/common.js';
import { api, type AgentView, type ConversationView, type Queue, type QueueCounts } from '../api/client.js';
import { ConversationPane, type Controls } from '../conversation/ConversationPane.js';
import { Avatar, when } from '../ui/format.js';
import { HelpOverlay, useShortcuts } from './shortcuts.js';
import { chime, useLiveChanges } from '../live.js';
import { navigate } from '../router.js';

/** The queues, with what an empty one says when no search or filter narrows it. */
const QUEUES: { id: Queue; label: string; empty: string }[] = [
  { id: 'waiting', label: 'Waiting for a human', empty: 'Nobody is waiting for a human right now.' },
  { id: 'mine', label: 'Mine', empty: 'No conversation is assigned to you.' },
  { id: 'fin', label: 'Fin is handling', empty: 'Fin is not handling any conversation.' },
  { id: 'others', label: 'Assigned to others', empty: 'No conversation is assigned to another agent.' },
  { id: 'all', label: 'All', empty: 'There are no conversations yet.' },
];
const PAGE = 50;
/** Search and the tag filter apply this long after the last key press. */
const TYPING_PAUSE_MS = 250;

interface Filters {
  queue: Queue;
  status: string;
  tag: string;
  q: string;
}

export function Inbox({ me, conversationId }: { me: AgentView; conversationId: string | null }) {
  const [filters, setFilters] = useState<Filters>({ queue: 'waiting', status: '', tag: '', q: '' });
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [items, setItems] = useState<ConversationView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [help, setHelp] = useState(false);
  /** On a phone the status and tag filters fold away behind a Filters button. */
  const [filtersShown, setFiltersShown] = useState(false);
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const searchRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<Controls | null>(null);
  const lastWaiting = useRef<number | null>(null);

  // Live changes reload the list from the top while a next page may be on its way: an answer
  // that a later reload overtook is dropped, or its rows would be appended twice or out of date.
  const generation = useRef(0);
  const load = useCallback(
    async (cursor: string | null, keep: number) => {
      const started = cursor ? generation.current : ++generation.current;
      setLoading(true);
      try {
        const page = await api.conversations({
          queue: filters.queue,
          status: filters.status || undefined,
          tag: filters.tag || undefined,
          q: filters.q || undefined,
          cursor,
          limit: Math.min(100, Math.max(PAGE, keep)),
        });
        if (started !== generation.current) return;
        setItems((current) => (cursor ? [...current, ...page.items] : page.items));
        setNext(page.next);
        setError(null);
      } catch (failure) {
        if (started === generation.current) setError((failure as Error).message);
      } finally {
        if (started === generation.current) setLoading(false);
      }
    },
    [filters],
  );

  const refreshCounts = useCallback(async () => {
    const fresh = await api.counts().catch(() => null);
    if (!fresh) return;
    // A new hand-over: tell the agent, if they allowed notifications.
    if (lastWaiting.current !== null && fresh.waiting > lastWaiting.current && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification('A conversation is waiting for a human', { body: `${fresh.waiting} waiting`, tag: 'finch-waiting' });
      chime();
    }
    lastWaiting.current = fresh.waiting;
    setCounts(fresh);
  }, []);

  useEffect(() => {
    void load(null, PAGE);
  }, [load]);
  useEffect(() => {
    void refreshCounts();
  }, [refreshCounts]);

  const itemCount = useRef(0);
  itemCount.current = items.length;
  useLiveChanges(
    useCallback(
      (ids) => {
        void refreshCounts();
        void load(null, itemCount.current);
        if (ids === 'all' || (conversationId && ids.includes(conversationId))) setVersion((v) => v + 1);
      },
      [load, refreshCounts, conversationId],
    ),
  );

  // Stable, so the list's end-of-scroll effect runs when the list moves, not on every render.
  const loadMore = useCallback(() => {
    if (next && !loading) void load(next, 0);
  }, [next, loading, load]);

  const open = useCallback((id: string) => navigate(`/c/${encodeURIComponent(id)}`), []);
  const step = useCallback(
    (delta: number) => {
      if (items.length === 0) return;
      const index = items.findIndex((item) => item.id === conversationId);
      const target = items[Math.max(0, Math.min(items.length - 1, index === -1 ? 0 : index + delta))];
      if (target) open(target.id);
    },
    [items, conversationId, open],
  );

  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    r: () => composerRef.current?.focus('public'),
    n: () => composerRef.current?.focus('private'),
    t: () => composerRef.current?.takeOver(),
    e: () => composerRef.current?.resolve(),
    '/': () => searchRef.current?.focus(),
    '?': () => setHelp((shown) => !shown),
    Escape: () => setHelp(false),
  });

  // Unchanged filters keep their object, so nothing reloads for nothing.
  const setFilter = useCallback(
    (change: Partial<Filters>) =>
      setFilters((current) => ((Object.keys(change) as (keyof Filters)[]).every((key) => current[key] === change[key]) ? current : { ...current, ...change })),
    [],
  );
  // Search and tag apply as the agent types, once they pause; Enter applies at once.
  useEffect(() => {
    const timer = setTimeout(() => setFilter({ q: search.trim(), tag: tag.trim() }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search, tag, setFilter]);
  const applyNow = () => setFilter({ q: search.trim(), tag: tag.trim() });
  const shownQueue = QUEUES.find((candidate) => candidate.id === filters.queue)!;
  const narrowed = filters.q || filters.tag || (filters.status && filters.queue !== 'waiting');

  return (
    <div className={conversationId ? 'inbox has-conversation' : 'inbox'}>
      <aside className="sidebar" aria-label="Queues">
        <nav>
          <ul>
            {QUEUES.map((queue) => (
              <li key={queue.id}>
                <button
                  type="button"
                  className={filters.queue === queue.id ? 'queue current' : 'queue'}
                  aria-current={filters.queue === queue.id ? 'true' : undefined}
                  onClick={() => setFilter({ queue: queue.id })}
                >
                  <span>{queue.label}</span>
                  {/* The counts are open conversations; the list shows every status unless filtered. */}
                  <span className="count" title={counts ? openCount(counts[queue.id]) : 'Counting…'} aria-label={counts ? openCount(counts[queue.id]) : 'counting'}>
                    {counts ? `${counts[queue.id]} open` : '–'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className={filtersShown ? 'filters shown' : 'filters'}>
          <label>
            Search
            <input
              ref={searchRef}
              type="search"
              placeholder="Titles and messages  ( / )"
              maxLength={200}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              onKeyDown={(event) => event.key === 'Enter' && applyNow()}
            />
          </label>
          <button type="button" className="phone-only filters-toggle" aria-expanded={filtersShown} onClick={() => setFiltersShown((shown) => !shown)}>
            {filtersShown ? 'Fewer filters' : 'Filters'}
            {!filtersShown && (filters.tag || filters.status) ? ' (on)' : ''}
          </button>
          <label>
            Status
            <select value={filters.status} onChange={(event) => setFilter({ status: event.target.value })}>
              <option value="">Any</option>
              <StatusOptions />
            </select>
          </label>
          <label>
            Tag
            <input type="text" maxLength={255} placeholder="e.g. billing" value={tag} onChange={(event) => setTag(event.target.value)} onKeyDown={(event) => event.key === 'Enter' && applyNow()} />
          </label>
          {typeof Notification !== 'undefined' && Notification.permission === 'default' && (
            <button type="button" className="link" onClick={() => void Notification.requestPermission()}>
              Notify me of hand-overs
            </button>
          )}
          <button type="button" className="link" onClick={() => setHelp(true)}>
            Keyboard shortcuts ( ? )
          </button>
        </div>
      </aside>
      <ConversationList
        items={items}
        selected={conversationId}
        onOpen={open}
        onEnd={loadMore}
        error={error}
        loading={loading}
        caption={listCaption(shownQueue.label, filters)}
        empty={narrowed ? noResults(filters) : shownQueue.empty}
      />
      {conversationId ? (
        <ConversationPane key={conversationId} id={conversationId} me={me} version={version} controls={composerRef} onClose={() => navigate('/')} />
      ) : (
        <section className="empty-pane" aria-label="Conversation">
          <p>Pick a conversation. Press ? for shortcuts.</p>
        </section>
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}

/** What a queue's count is: open conversations, whatever the list beside it is filtered to. */
function openCount(count: number): string {
  return `${count} open ${count === 1 ? 'conversation' : 'conversations'} in this queue`;
}

/** What the list shows, above it: the queue, and which statuses (the counts are open ones only). */
function listCaption(queueLabel: string, filters: Filters): string {
  const statuses = filters.queue === 'waiting' ? 'open only' : filters.status ? `${filters.status} only` : 'every status';
  return `${queueLabel}: ${statuses}${filters.tag ? `, tagged “${filters.tag}”` : ''}${filters.q ? `, matching “${filters.q}”` : ''}`;
}

/** The empty list's text when a search or a filter narrowed it. */
function noResults(filters: Filters): string {
  const what = [filters.q && `“${filters.q}”`, filters.tag && `the tag “${filters.tag}”`, filters.status && filters.queue !== 'waiting' && `status ${filters.status}`].filter(Boolean).join(' with ');
  return `No results for ${what} in this queue.`;
}

function ConversationList(props: {
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
      <ul role="list" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualItems.map((row) => {
          const item = items[row.index]!;
          return (
            <li key={item.id} data-index={row.index} ref={virtualizer.measureElement} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}>
              <a
                href={`/c/${encodeURIComponent(item.id)}`}
                className={item.id === selected ? 'row current' : 'row'}
                aria-current={item.id === selected ? 'true' : undefined}
                onClick={(event) => (event.preventDefault(), onOpen(item.id))}
              >
                <Avatar name={item.user.name ?? item.user.email} photoUrl={item.user.photo_url} />
                <span className="row-main">
                  <span className="row-title">{item.title || item.user.name || item.user.email || 'Untitled'}</span>
                  <span className="row-preview">{item.last_message?.text ?? ''}</span>
                </span>
                <span className="row-meta">
                  <time dateTime={item.updated_at}>{when(item.updated_at)}</time>
                  <span className={`badge ${item.queue}`}>{item.assignee ? (item.assignee.is_fin ? 'Fin' : item.assignee.name) : item.status === 'open' ? 'Waiting' : item.status}</span>
                  {!item.fin_sync.ok && <span className="badge unsynced">Not synced</span>}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
