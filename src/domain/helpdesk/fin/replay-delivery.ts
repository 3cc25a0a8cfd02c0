import { notFound, unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** Sends the event of a logged attempt again, now: 404 when unknown, 422 `not_replayable` for typing. */
export async function replayDelivery(ctx: HelpdeskContext, deliveryId: string): Promise<{ eventId: string }> {
  const at = ctx.now().toISOString();
  const eventId = await ctx.transaction(async (tx) => {
    const delivery = await tx.deliveries.findDelivery(deliveryId);
    if (!delivery) throw notFound('delivery', deliveryId);
    if (delivery.kind === 'typing') throw unprocessable('not_replayable', 'Typing notifications are worthless after a few seconds and are not replayed.');
    await tx.deliveries.replayEvent(delivery.eventId, at);
    return delivery.eventId;
  });
  ctx.outboxWritten();
  return { eventId };
}
