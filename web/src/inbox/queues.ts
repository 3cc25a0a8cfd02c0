/** The inbox's queues and filters, and what the list says about them. */
import type { Queue } from '../api/types.js';

/** The queues, with what an empty one says when no search or filter narrows it. */
export const QUEUES: { id: Queue; label: string; empty: string }[] = [
  { id: 'waiting', label: 'Waiting for a human', empty: 'Nobody is waiting for a human right now.' },
  { id: 'mine', label: 'Mine', empty: 'No conversation is assigned to you.' },
  { id: 'fin', label: 'Fin is handling', empty: 'Fin is not handling any conversation.' },
  { id: 'others', label: 'Assigned to others', empty: 'No conversation is assigned to another agent.' },
  { id: 'all', label: 'All', empty: 'There are no conversations yet.' },
];

export interface Filters {
  queue: Queue;
  status: string;
  tag: string;
  q: string;
  /** Waiting's order: its own (oldest wait first) or by when the reply is due. */
  sort: 'default' | 'due';
}

/** What a queue's count is: open conversations, whatever the list beside it is filtered to. */
export function openCount(count: number): string {
  return `${count} open ${count === 1 ? 'conversation' : 'conversations'} in this queue`;
}

/** What the list shows, above it: the queue, and which statuses (the counts are open ones only). */
export function listCaption(queueLabel: string, filters: Filters): string {
  const statuses = filters.queue === 'waiting' ? 'open only' : filters.status ? `${filters.status} only` : 'every status';
  return `${queueLabel}: ${statuses}${filters.tag ? `, tagged “${filters.tag}”` : ''}${filters.q ? `, matching “${filters.q}”` : ''}`;
}

/** The empty list's text when a search or a filter narrowed it. */
export function noResults(filters: Filters): string {
  const what = [
    filters.q && `“${filters.q}”`,
    filters.tag && `the tag “${filters.tag}”`,
    filters.status && filters.queue !== 'waiting' && `status ${filters.status}`,
  ]
    .filter(Boolean)
    .join(' with ');
  return `No results for ${what} in this queue.`;
}
