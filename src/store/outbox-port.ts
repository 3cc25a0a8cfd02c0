/**
 * The outbox: what Finch must tell Fin, written in the same transaction as the change it announces
 * (no change without its event, no event without its change), then delivered by a dispatcher in
 * the server or in `finch worker` processes. Every delivery attempt is logged.
 *
 * Events per conversation coalesce: while a sync event is pending, further changes only count
 * themselves on it (`coalesced`), because Fin pulls the current state whatever changed.
 */

export type OutboxKind = 'sync' | 'typing';

/**
 * pending: waiting for its next attempt (`availableAt`); in_flight: claimed by a dispatcher until
 * `availableAt` (a crashed dispatcher's events become due again then); delivered; dead: out of
 * attempts (a sync event dead-letters its conversation, "not synced with Fin"); expired: a typing
 * event past its use; superseded: a newer pending sync event for the same conversation carries it.
 */
export type OutboxStatus = 'pending' | 'in_flight' | 'delivered' | 'dead' | 'expired' | 'superseded';

export interface OutboxEvent {
  id: string;
  kind: OutboxKind;
  conversationId: string;
  /** The typing agent, for typing events. */
  agentId: string | null;
  /** The JSON body Fin receives. */
  payload: Record<string, unknown>;
  status: OutboxStatus;
  /** Attempts made so far. */
  attempts: number;
  /** Changes merged into this event after it was written. */
  coalesced: number;
  availableAt: string;
  /** Typing events are worthless after this. */
  expiresAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'expired' | 'disabled';

export interface DeliveryAttempt {
  id: string;
  eventId: string;
  conversationId: string;
  kind: OutboxKind;
  /** 1 for the first attempt of the event. */
  attempt: number;
  url: string;
  statusCode: number | null;
  latencyMs: number | null;
  /** The first few hundred characters of Fin's answer. */
  responseExcerpt: string | null;
  /** What went wrong (timeout, refused connection, status), never a secret. */
  error: string | null;
  outcome: AttemptOutcome;
  nextAttemptAt: string | null;
  createdAt: string;
}

/** What becomes of an event after an attempt (or instead of one). */
export type EventResolution =
  | { status: 'delivered' }
  | { status: 'pending'; availableAt: string; error: string }
  | { status: 'dead'; error: string }
  | { status: 'expired'; error: string };

/** Writes that ride in the transaction of the change they announce. */
export interface OutboxWriter {
  /** A sync event for the conversation, merged into its pending one when there is one. */
  enqueueSync(conversationId: string, at: string): Promise<void>;
  /**
   * A typing event, unless one for the same conversation and agent was written at or after
   * `throttleSince`. Returns whether it was written.
   */
  enqueueTyping(event: {
    conversationId: string;
    agentId: string;
    payload: Record<string, unknown>;
    at: string;
    expiresAt: string;
    throttleSince: string;
  }): Promise<boolean>;
}

/** A delivery Fin accepted: the claimed event, the attempt that was made, and when it was judged (ISO). */
export interface Delivered {
  event: OutboxEvent;
  attempt: Omit<DeliveryAttempt, 'id'>;
  at: string;
}

export interface DeliveryPage {
  deliveries: DeliveryAttempt[];
  /** Pass back to get the next (older) page; null at the end. */
  nextCursor: string | null;
}

export interface OutboxStore {
  /**
   * Claims up to `limit` due events (pending, or in flight past their lease) for one dispatcher
   * until `leaseUntil`, oldest due first. Concurrent dispatchers never claim the same event.
   */
  claimDue(worker: string, now: string, leaseUntil: string, limit: number): Promise<OutboxEvent[]>;

  /**
   * Records what happened to a claimed event, atomically with the attempt (when one was made):
   * a delivered sync event clears its conversation's "not synced" flag, a dead one sets it. A sync
   * event put back to pending while another is pending for its conversation is superseded.
   */
  resolve(event: OutboxEvent, resolution: EventResolution, attempt: Omit<DeliveryAttempt, 'id'> | null, at: string): Promise<void>;

  /**
   * Records deliveries Fin accepted, any number at once and together (one transaction): each
   * attempt logged; each event delivered at its `at` if its claim still holds (a late one is only
   * logged); each delivered sync event's conversation no longer flagged "not synced". What
   * `resolve` does for one, at the cost of one write for many (bench/README.md, "Cost per agent
   * change"). An empty list does nothing.
   */
  settleDelivered(deliveries: readonly Delivered[]): Promise<void>;

  /** Puts a claimed event back untouched (delivery is off), due again at `availableAt`. */
  release(event: OutboxEvent, availableAt: string): Promise<void>;

  /**
   * Puts a finished sync event (dead, delivered, expired or superseded) back to pending, due now;
   * superseded at once when another is pending for its conversation. False when there is no such
   * event, or it is a typing event (worthless once late).
   */
  replayEvent(eventId: string, at: string): Promise<boolean>;
  /** Puts every dead event written in [from, to) back to pending. Returns how many. */
  replayDead(from: string, to: string, at: string): Promise<number>;

  findEvent(eventId: string): Promise<OutboxEvent | undefined>;
  findDelivery(deliveryId: string): Promise<DeliveryAttempt | undefined>;
  listDeliveries(query: { limit: number; cursor?: string; eventId?: string; conversationId?: string; outcome?: AttemptOutcome }): Promise<DeliveryPage>;

  /** Deletes delivery attempts and finished events older than `before`. */
  prune(before: string): Promise<void>;
}
