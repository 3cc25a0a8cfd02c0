import type { ActivityEvent } from '../activity/activity.js';
import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';

/** The notifications the events call for, queued in the same transaction (never lost, never sent for a change that did not commit). */
export async function queueNotifications(_tx: HelpdeskTransaction, _events: readonly ActivityEvent[]): Promise<void> {}
