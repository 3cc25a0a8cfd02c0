/**
 * Where conversations' activity is kept (domain/activity/): appended in the unit of work of the
 * change it records, never changed or removed afterwards (rows go only with their conversation),
 * read back per conversation (the timeline) and by time range (reports).
 */
import type { ActivityEntry, ActivityEvent, ActivityKind } from '../domain/activity/activity.js';

/** A position in time order: the event's time and the id that breaks ties (ids increase within a process). */
export interface ActivityPosition {
  at: string;
  id: string;
}

export interface ActivityWriter {
  /** Appends the events, in order, in the enclosing transaction. There is no update or delete. */
  append(events: readonly ActivityEvent[]): Promise<void>;
}

export interface ActivityReader {
  /** Up to `limit` of a conversation's events, oldest first (by time, then id), after `after` when given. */
  listActivity(conversationId: string, options: { limit: number; after?: ActivityPosition | undefined }): Promise<ActivityEntry[]>;
  /**
   * Up to `limit` events of every conversation with `from <= at < to` (ISO 8601 UTC), of one kind
   * when `kind` is given, oldest first, after `after` when given: the range scan reports page
   * through (indexed by time, and by kind and time).
   */
  scanActivity(options: {
    from: string;
    to: string;
    kind?: ActivityKind | undefined;
    limit: number;
    after?: ActivityPosition | undefined;
  }): Promise<ActivityEntry[]>;
}
