/**
 * The inbox: queues and filters, the list, and the open conversation beside it. What it shows is
 * read through the data layer (resources/); the live stream, open while the inbox is,
 * invalidates what each change names (resources/live.ts).
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { AgentView } from '../api/types.js';
import { ConversationPane, type Controls } from '../conversation/ConversationPane.js';
import { useConversationList, useCounts } from '../resources/conversations.js';
import { useLiveChanges } from '../resources/live.js';
import { navigate } from '../router.js';
import { ConversationList } from './ConversationList.js';
import { FilterPanel } from './FilterPanel.js';
import { useHandOverNotice } from './hand-over.js';
import { listCaption, noResults, QUEUES, type Filters } from './queues.js';
import { QueueNav } from './QueueNav.js';
import { HelpOverlay, useShortcuts } from './shortcuts.js';

export function Inbox({ me, conversationId }: { me: AgentView; conversationId: string | null }) {
  const [filters, setFilters] = useState<Filters>({ queue: 'waiting', status: '', tag: '', q: '', sort: 'default' });
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<Controls | null>(null);

  useLiveChanges();
  const counts = useCounts().data;
  useHandOverNotice(counts);
  // Only Waiting sorts by due time; the other queues keep their own order.
  const list = useConversationList(filters.queue === 'waiting' ? filters : { ...filters, sort: 'default' });
  const items = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const loading = list.isFetching;
  const { hasNextPage, fetchNextPage } = list;

  // Stable, so the list's end-of-scroll effect runs when the list moves, not on every render.
  // Never while the list is read again (a live change): that read brings every page shown.
  const loadMore = useCallback(() => {
    if (hasNextPage && !loading) void fetchNextPage();
  }, [hasNextPage, loading, fetchNextPage]);

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
    // biome-ignore lint/correctness/noComponentHookFactories: a key's name (KeyboardEvent.key), not a component
    Escape: () => setHelp(false),
  });

  // Unchanged filters keep their object, so nothing is read again for nothing.
  const setFilter = useCallback(
    (change: Partial<Filters>) =>
      setFilters((current) => ((Object.keys(change) as (keyof Filters)[]).every((key) => current[key] === change[key]) ? current : { ...current, ...change })),
    [],
  );
  const shownQueue = QUEUES.find((candidate) => candidate.id === filters.queue)!;
  const narrowed = filters.q || filters.tag || (filters.status && filters.queue !== 'waiting');

  return (
    <div className={conversationId ? 'inbox has-conversation' : 'inbox'}>
      <aside className="sidebar" aria-label="Queues">
        <QueueNav current={filters.queue} counts={counts} onPick={(queue) => setFilter({ queue })} />
        <FilterPanel filters={filters} setFilter={setFilter} searchRef={searchRef} onHelp={() => setHelp(true)} />
      </aside>
      <ConversationList
        items={items}
        selected={conversationId}
        onOpen={open}
        onEnd={loadMore}
        error={list.error?.message ?? null}
        loading={loading}
        caption={listCaption(shownQueue.label, filters)}
        empty={narrowed ? noResults(filters) : shownQueue.empty}
      />
      {conversationId ? (
        <ConversationPane key={conversationId} id={conversationId} me={me} controls={composerRef} onClose={() => navigate('/')} />
      ) : (
        <section className="empty-pane" aria-label="Conversation">
          <p>Pick a conversation. Press ? for shortcuts.</p>
        </section>
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
