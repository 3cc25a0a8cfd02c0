import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';
import { queueNotifications } from '../notifications/queue-notifications.js';
import { applySla } from '../sla/apply-sla.js';
import type { ActivityEvent } from './activity.js';

/**
 * Records what happened to conversations, in the transaction of the change: the events are
 * appended to their activity, and what they mean for service levels (domain/sla/) and for
 * notifications (domain/notifications/) is written with them, so none of it can exist without the
 * change or be lost after it. The one place a use case reports an event; `[]` does nothing.
 */
export async function recordActivity(tx: HelpdeskTransaction, events: readonly ActivityEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.activity.append(events);
  await applySla(tx, events);
  await queueNotifications(tx, events);
}
