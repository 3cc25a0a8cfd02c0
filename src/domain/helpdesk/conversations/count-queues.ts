import type { QueueCounts } from '../../../store/helpdesk-port.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

/** Open conversations per queue, as `viewer` sees them (`mine` and `others` are relative to them). */
export function countQueues(ctx: HelpdeskContext, viewer: Agent): Promise<QueueCounts> {
  return ctx.conversations.countQueues(viewer.id);
}
