/**
 * Finch's own account of a run, read from its outbox after the notifications have drained, set
 * against what the receiver got. Each committed change either wrote a sync event or counted itself
 * on the one pending for its conversation (`coalesced`), so Σ(1 + coalesced) over the run's events
 * is the number of changes Finch recorded, and Σ coalesced the deliveries it saved.
 *
 * "Nothing lost" is checked exactly: a conversation's newest event is the one that carries its
 * last change (the change wrote it, or was merged into it while it was pending, i.e. before any
 * dispatcher claimed it), so that event must be delivered and must have reached the receiver.
 */
import { openDatabase } from '../../src/store/sql/database.js';
import type { FinchTarget } from './finch-process.js';
import type { Receipt } from './webhook-receiver.js';

export interface OutboxAudit {
  /** Sync events written during the run, by status (pending, in_flight, delivered, dead, …). */
  eventsByStatus: Record<string, number>;
  events: number;
  /** Changes Finch counts: one per event plus those merged into it. */
  changesRecorded: number;
  /** Changes merged into a pending event: deliveries saved. */
  coalesced: number;
  /** Delivery attempts of the run's events that failed, by outcome (retry, dead, …). */
  failedAttempts: Record<string, number>;
  /** Delivered events whose id never reached the receiver. */
  deliveredNotReceived: number;
  /** Conversations whose newest event was not delivered or never reached the receiver. */
  lostConversations: string[];
}

/** Sync events written at or after `sinceIso` (wall clock, as Finch stamps them). */
export async function auditOutbox(target: FinchTarget, sinceIso: string, receipts: readonly Receipt[]): Promise<OutboxAudit> {
  const database = openDatabase({ url: target.databaseUrl, dataDir: target.dataDir, poolSize: 1 });
  try {
    const events = await database.db
      .selectFrom('outbox_events')
      .select(['id', 'conversation_id', 'status', 'coalesced'])
      .where('kind', '=', 'sync')
      .where('created_at', '>=', sinceIso)
      .execute();
    const failures = await database.db
      .selectFrom('webhook_deliveries')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('count')])
      .where('kind', '=', 'sync')
      .where('outcome', '!=', 'delivered')
      .where('event_id', 'in', (eb) => eb.selectFrom('outbox_events').select('id').where('kind', '=', 'sync').where('created_at', '>=', sinceIso))
      .groupBy('outcome')
      .execute();

    const received = new Set(receipts.map((receipt) => receipt.eventId));
    const eventsByStatus: Record<string, number> = {};
    const newest = new Map<string, { id: string; status: string }>();
    let coalesced = 0;
    let deliveredNotReceived = 0;
    for (const event of events) {
      eventsByStatus[event.status] = (eventsByStatus[event.status] ?? 0) + 1;
      coalesced += Number(event.coalesced);
      if (event.status === 'delivered' && !received.has(event.id)) deliveredNotReceived++;
      // Event ids are ULIDs that increase in the order one process writes them.
      const current = newest.get(event.conversation_id);
      if (!current || event.id > current.id) newest.set(event.conversation_id, { id: event.id, status: event.status });
    }
    const lostConversations = [...newest].filter(([, event]) => event.status !== 'delivered' || !received.has(event.id)).map(([id]) => id);
    return {
      eventsByStatus,
      events: events.length,
      changesRecorded: events.length + coalesced,
      coalesced,
      failedAttempts: Object.fromEntries(failures.map((row) => [row.outcome, Number(row.count)])),
      deliveredNotReceived,
      lostConversations,
    };
  } finally {
    await database.close();
  }
}
