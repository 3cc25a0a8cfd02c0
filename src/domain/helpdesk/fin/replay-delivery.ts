import { notFound, unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

/** Sends the event of a logged attempt again, now: 404 when unknown, 422 `not_replayable` for typing. */
export async function replayDelivery(ctx: HelpdeskContext, deliveryId: string): Promise<{ eventId: string }> {
  const delivery = await ctx.outbox.findDelivery(deliveryId);
  if (!delivery) throw notFound('delivery', deliveryId);
  if (delivery.kind === 'typing') throw unprocessable('not_replayable', 'Typing notifications are worthless after a few seconds and are not replayed.');
  await ctx.outbox.replayEvent(delivery.eventId, ctx.now().toISOString());
  ctx.outboxWritten();
  return { eventId: delivery.eventId };
}
