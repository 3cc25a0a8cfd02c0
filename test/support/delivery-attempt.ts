/** A delivery attempt as the dispatcher logs it, for tests that settle claimed events by hand. */
import type { DeliveryAttempt, OutboxEvent } from '../../src/store/outbox-port.js';

/** A delivery attempt of the claimed `event`, made at `createdAt`; Fin's answer by `outcome`. */
export function attempt(event: OutboxEvent, createdAt: string, outcome: DeliveryAttempt['outcome'] = 'retry'): Omit<DeliveryAttempt, 'id'> {
  return {
    eventId: event.id,
    conversationId: event.conversationId,
    kind: event.kind,
    attempt: event.attempts,
    url: 'https://fin.example/hooks/standalone/custom_helpdesk_conversation_event/int_1',
    statusCode: outcome === 'delivered' ? 200 : 503,
    latencyMs: 42,
    responseExcerpt: outcome === 'delivered' ? '{"ok":true}' : 'Service Unavailable',
    error: outcome === 'delivered' ? null : 'Fin answered 503',
    outcome,
    nextAttemptAt: outcome === 'retry' ? new Date(Date.parse(createdAt) + 600_000).toISOString() : null,
    createdAt,
  };
}
