import type { DeliveryListQuery } from '../../../contract/agent-api.js';
import type { DeliveryPage } from '../../../store/outbox-port.js';
import { FinError } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** The delivery log, newest attempt first. 400 `invalid_cursor` for a cursor this API did not give out. */
export async function listDeliveries(ctx: HelpdeskContext, query: DeliveryListQuery): Promise<DeliveryPage> {
  try {
    return await ctx.fin.deliveries.listDeliveries({
      limit: query.limit ?? 50,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.event_id === undefined ? {} : { eventId: query.event_id }),
      ...(query.conversation_id === undefined ? {} : { conversationId: query.conversation_id }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    });
  } catch (error) {
    if ((error as Error).name === 'InvalidCursorError')
      throw new FinError('bad_request', 'invalid_cursor', 'The cursor is not one this API gave out.', '/cursor');
    throw error;
  }
}
