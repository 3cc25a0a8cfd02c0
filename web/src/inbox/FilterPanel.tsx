import { useEffect, useState, type RefObject } from 'react';
import { StatusOptions } from '../ui/StatusOptions.js';
import type { Filters } from './queues.js';

/** Search and the tag filter apply this long after the last key press. */
const TYPING_PAUSE_MS = 250;

/**
 * Search, status and tag (folded behind a Filters button on a phone), the notification opt-in
 * and the shortcut help. Search and tag apply as the agent types, once they pause; Enter at once.
 */
export function FilterPanel(props: {
  filters: Filters;
  setFilter: (change: Partial<Filters>) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  onHelp: () => void;
}) {
  const { filters, setFilter } = props;
  /** On a phone the status and tag filters fold away behind a Filters button. */
  const [shown, setShown] = useState(false);
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setFilter({ q: search.trim(), tag: tag.trim() }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search, tag, setFilter]);
  const applyNow = () => setFilter({ q: search.trim(), tag: tag.trim() });

  return (
    <div className={shown ? 'filters shown' : 'filters'}>
      <label>
        Search
        <input
          ref={props.searchRef}
          type="search"
          placeholder="Titles and messages  ( / )"
          maxLength={200}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => event.key === 'Enter' && applyNow()}
        />
      </label>
      <button type="button" className="phone-only filters-toggle" aria-expanded={shown} onClick={() => setShown((now) => !now)}>
        {shown ? 'Fewer filters' : 'Filters'}
        {!shown && (filters.tag || filters.status) ? ' (on)' : ''}
      </button>
      {filters.queue === 'waiting' && (
        <label>
          Sort
          <select value={filters.sort} onChange={(event) => setFilter({ sort: event.target.value as Filters['sort'] })}>
            <option value="default">Longest waiting first</option>
            <option value="due">Reply due soonest</option>
          </select>
        </label>
      )}
      <label>
        Status
        <select value={filters.status} onChange={(event) => setFilter({ status: event.target.value })}>
          <option value="">Any</option>
          <StatusOptions />
        </select>
      </label>
      <label>
        Tag
        <input
          type="text"
          maxLength={255}
          placeholder="e.g. billing"
          value={tag}
          onChange={(event) => setTag(event.target.value)}
          onKeyDown={(event) => event.key === 'Enter' && applyNow()}
        />
      </label>
      {typeof Notification !== 'undefined' && Notification.permission === 'default' && (
        <button type="button" className="link" onClick={() => void Notification.requestPermission()}>
          Notify me of hand-overs
        </button>
      )}
      <button type="button" className="link" onClick={props.onHelp}>
        Keyboard shortcuts ( ? )
      </button>
    </div>
  );
}
