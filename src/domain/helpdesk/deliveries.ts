import type { DeliveryListQuery, ReplayRange } from '../../contract/agent-api.js';
import type { DeliveryPage } from '../../store/outbox-port.js';
import { FinError, notFound, unprocessable } from '../errors.js';
import type { HelpdeskContext } from './context.js';

/** The delivery log, newest attempt first. */
export async function listDeliveries(ctx: HelpdeskContext, query: DeliveryListQuery): Promise<DeliveryPage> {
  try {
    return await ctx.outbox.listDeliveries({
      limit: query.limit ?? 50,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.event_id === undefined ? {} : { eventId: query.event_id }),
      ...(query.conversation_id === undefined ? {} : { conversationId: query.conversation_id }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    });
  } catch (error) {
    if ((error as Error).name === 'InvalidCursorError') throw new FinError('bad_request', 'invalid_cursor', 'The cursor is not one this API gave out.', '/cursor');
    throw error;
  }
}

/** Sends the event of a logged attempt again, now. */
export async function replayDelivery(ctx: HelpdeskContext, deliveryId: string): Promise<{ eventId: string }> {
  const delivery = await ctx.outbox.findDelivery(deliveryId);
  if (!delivery) throw notFound('delivery', deliveryId);
  if (delivery.kind === 'typing') throw unprocessable('not_replayable', 'Typing notifications are worthless after a few seconds and are not replayed.');
  await ctx.outbox.replayEvent(delivery.eventId, ctx.now().toISOString());
  ctx.outboxWritten();
  return { eventId: delivery.eventId };
}

/** Sends again every dead-lettered event written in [from, to). */
export async function replayDeadRange(ctx: HelpdeskContext, range: ReplayRange): Promise<number> {
  const from = new Date(range.from).toISOString();
  const to = new Date(range.to).toISOString();
  if (from >= to) throw unprocessable('empty_range', '`from` must come before `to`.', '/to');
  const replayed = await ctx.outbox.replayDead(from, to, ctx.now().toISOString());
  if (replayed > 0) ctx.outboxWritten();
  return replayed;
}
