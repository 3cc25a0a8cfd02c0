/**
 * "Retry" on a conversation that is not synced with Fin: a fresh sync event, delivered like any
 * other. Fin pulls the current state, so a new event is as good as replaying the dead one, and
 * any agent may ask for it (replaying the delivery log is an admin's tool); once it is delivered
 * the conversation is no longer flagged.
 */
import { effectiveFinSettings, webhookTarget } from '../../fin-settings.js';
import { notFound, unprocessable } from '../../errors.js';
import type { HelpdeskContext } from '../context.js';

export async function resync(ctx: HelpdeskContext, conversationId: string): Promise<void> {
  const target = webhookTarget(effectiveFinSettings(await ctx.fin.settings.getFinSettings(), ctx.fin.overrides));
  if (!target.ok) throw unprocessable('fin_not_configured', target.reason);
  const at = ctx.now().toISOString();
  await ctx.transaction(async (tx) => {
    if (!(await tx.findConversation(conversationId))) throw notFound('conversation', conversationId);
    await tx.enqueueSync(conversationId, at);
  });
  ctx.outboxWritten();
}
