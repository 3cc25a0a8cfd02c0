import { unprocessable } from '../../errors.js';
import { chatWebhookUrlProblem, type ChatWebhookSettings } from '../../notifications/chat-webhook.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/**
 * `PUT /api/v1/settings/chat-webhook` (admins): fields left out stay as they are; `url: null`
 * removes the webhook. The URL must pass the outbound rule (422 `invalid_webhook_url`, saying
 * why; FINCH_FIN_ALLOWED_NETWORKS can allow an on-premises chat server).
 */
export async function updateChatWebhook(
  ctx: HelpdeskContext,
  admin: Agent,
  input: { url?: string | null | undefined; waitingMinutes?: number | undefined; slaBreaches?: boolean | undefined },
): Promise<ChatWebhookSettings> {
  requireAdmin(admin);
  const url = input.url?.trim();
  if (url !== undefined) {
    const problem = chatWebhookUrlProblem(url, ctx.fin.overrides.allowedNetworks ?? []);
    if (problem) throw unprocessable('invalid_webhook_url', `The chat webhook URL ${problem}.`, '/url');
  }
  const at = ctx.now().toISOString();
  return ctx.transaction(async (tx) => {
    const current = await tx.notifications.chatWebhook();
    const next: ChatWebhookSettings = {
      url: input.url === null ? null : (url ?? current.url),
      waitingMinutes: input.waitingMinutes ?? current.waitingMinutes,
      slaBreaches: input.slaBreaches ?? current.slaBreaches,
    };
    await tx.notifications.setChatWebhook(next, at);
    // The last attempt told of the old address: a new one starts with none.
    if (next.url !== current.url) await tx.notifications.recordChatAttempt(null, at);
    return next;
  });
}
