/**
 * Which notification belongs to which change, from the receiver's side only. Finch sends one
 * notification per outbox event, an event per change unless the change found one still pending for
 * its conversation (then it is merged into it), and the same event again only if a delivery's
 * outcome was lost; the event id (`x-finch-event-id`) tells a repeat from a new event.
 */
import type { Receipt } from './webhook-receiver.js';

export interface Change {
  conversationId: string;
  /** performance.now() when the request was sent, and when its answer arrived. */
  sentAt: number;
  answeredAt: number;
  status: number;
}

export interface Matching {
  /** Each change that got a notification of its own, with the time that notification arrived. */
  matched: { change: Change; receivedAt: number }[];
  /** Successful changes with no notification of their own: merged into another's, or lost. */
  unmatched: Change[];
  /** Notifications of an event already received: deliveries of one event beyond the first. */
  repeats: number;
  /** Events that no change accounts for (e.g. one received before any change to its conversation was sent). */
  unexplained: number;
}

/** The events received, each at its first arrival, per conversation, oldest first. */
function firstArrivals(receipts: readonly Receipt[]): { byConversation: Map<string, Receipt[]>; repeats: number } {
  const seen = new Set<string>();
  const byConversation = new Map<string, Receipt[]>();
  let repeats = 0;
  for (const receipt of [...receipts].sort((a, b) => a.at - b.at)) {
    if (seen.has(receipt.eventId)) {
      repeats++;
      continue;
    }
    seen.add(receipt.eventId);
    groupInto(byConversation, receipt.conversationId, receipt);
  }
  return { byConversation, repeats };
}

/**
 * Pairs, per conversation, each successful change with the first not yet paired event that
 * arrived after the change was sent. Exact when changes to a conversation are further apart than
 * a delivery takes (the steady run: seconds apart); with faster changes an unmatched change is
 * one that was merged into an earlier change's pending event.
 */
export function matchChanges(changes: readonly Change[], receipts: readonly Receipt[]): Matching {
  const { byConversation: events, repeats } = firstArrivals(receipts);
  const byConversation = new Map<string, Change[]>();
  for (const change of changes) if (succeeded(change)) groupInto(byConversation, change.conversationId, change);

  const matched: Matching['matched'] = [];
  const unmatched: Change[] = [];
  let unexplained = 0;
  for (const [conversationId, list] of byConversation) {
    const arrivals = events.get(conversationId) ?? [];
    events.delete(conversationId);
    let next = 0;
    for (const change of list.sort((a, b) => a.sentAt - b.sentAt)) {
      // An event that arrived before this change was sent cannot be its notification.
      while (next < arrivals.length && arrivals[next]!.at < change.sentAt) {
        unexplained++;
        next++;
      }
      if (next < arrivals.length) matched.push({ change, receivedAt: arrivals[next++]!.at });
      else unmatched.push(change);
    }
    unexplained += arrivals.length - next;
  }
  // Notifications about conversations no change touched.
  for (const arrivals of events.values()) unexplained += arrivals.length;
  return { matched, unmatched, repeats, unexplained };
}

/**
 * Conversations whose last change was not followed by any notification: Fin would never learn of
 * that change. The receiver's view only; outbox-audit.ts checks the same against Finch's outbox.
 */
export function uncoveredConversations(changes: readonly Change[], receipts: readonly Receipt[]): string[] {
  const lastChange = new Map<string, number>();
  for (const change of changes) {
    if (succeeded(change)) lastChange.set(change.conversationId, Math.max(lastChange.get(change.conversationId) ?? -Infinity, change.sentAt));
  }
  const lastArrival = new Map<string, number>();
  for (const receipt of receipts) lastArrival.set(receipt.conversationId, Math.max(lastArrival.get(receipt.conversationId) ?? -Infinity, receipt.at));
  return [...lastChange].filter(([id, sentAt]) => (lastArrival.get(id) ?? -Infinity) < sentAt).map(([id]) => id);
}

export function succeeded(change: Change): boolean {
  return change.status >= 200 && change.status < 300;
}

function groupInto<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
