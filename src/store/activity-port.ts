/**
 * Where conversations' activity is kept (domain/activity/): appended in the unit of work of the
 * change it records, read back per conversation.
 */
import type { ActivityEntry, ActivityEvent } from '../domain/activity/activity.js';

export interface ActivityWriter {
  /** Appends the events, in order, in the enclosing transaction. */
  append(events: readonly ActivityEvent[]): Promise<void>;
}

export interface ActivityReader {
  /** A conversation's events, oldest first. */
  listActivity(conversationId: string, options: { limit: number; afterId?: string }): Promise<ActivityEntry[]>;
}
