import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorNote, StatusOptions } from './common.js';
import { api, type AgentView, type ConversationView, type Queue, type QueueCounts } from './api.js';
import { ConversationPane, type Controls } from './ConversationPane.js';
import { Avatar, when } from './format.js';
import { HelpOverlay, useShortcuts } from './shortcuts.js';
import { chime, useLiveChanges } from './live.js';
import { navigate } from './router.js';

const QUEUES: { id: Queue; label: string }[] = [
  { id: 'waiting', label: 'Waiting for a human' },
  { id: 'mine', label: 'Mine' },
  { id: 'fin', label: 'Fin is handling' },
  { id: 'others', label: 'Assigned to others' },
  { id: 'all', label: 'All' },
];
const PAGE = 50;

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

  const setFilter = (change: Partial<Filters>) => setFilters((current) => ({ ...current, ...change }));

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
                  <span className="count" aria-label={`${counts?.[queue.id] ?? 0} conversations`}>
                    {counts?.[queue.id] ?? '–'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="filters">
          <label>
            Search
            <input ref={searchRef} type="search" placeholder="Titles and messages  ( / )" defaultValue={filters.q} onKeyDown={(event) => event.key === 'Enter' && setFilter({ q: event.currentTarget.value.trim() })} />
          </label>
          <label>
            Status
            <select value={filters.status} onChange={(event) => setFilter({ status: event.target.value })}>
              <option value="">Any</option>
              <StatusOptions />
            </select>
          </label>
          <label>
            Tag
            <input type="text" defaultValue={filters.tag} onKeyDown={(event) => event.key === 'Enter' && setFilter({ tag: event.currentTarget.value.trim() })} />
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
      <ConversationList items={items} selected={conversationId} onOpen={open} onEnd={loadMore} error={error} loading={loading} />
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

function ConversationList(props: { items: ConversationView[]; selected: string | null; onOpen: (id: string) => void; onEnd: () => void; error: string | null; loading: boolean }) {
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
      <ErrorNote error={props.error} />
      {items.length === 0 && !props.loading && <p className="none">No conversations here.</p>}
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
