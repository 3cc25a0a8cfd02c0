import { conflict } from '../../errors.js';
import { slackEscaped, type ChatAttempt } from '../../notifications/chat-webhook.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** How long a test post may take before it counts as failed (the request waits for it). */
export const TEST_POST_TIMEOUT_MS = 10_000;

/**
 * `POST /api/v1/settings/chat-webhook/test` (admins): posts a short test message to the webhook now
 * and says how it went; the outcome becomes the webhook's last attempt. 409 `chat_webhook_not_set`
 * when there is no webhook. A failed post is not the caller's fault: the edge answers it as 502.
 */
export async function testChatWebhook(ctx: HelpdeskContext, admin: Agent): Promise<ChatAttempt> {
  requireAdmin(admin);
  const { url } = await ctx.notifications.chatWebhook();
  if (!url) throw conflict('chat_webhook_not_set', 'No chat webhook is set: save its URL first.', '/url');
  const result = await ctx.chat.post(
    { url, allowedNetworks: ctx.fin.overrides.allowedNetworks ?? [] },
    slackEscaped(`Test post from Finch (sent by ${admin.name}): chat notifications reach this channel.`),
    TEST_POST_TIMEOUT_MS,
  );
  const attempt: ChatAttempt = { at: ctx.now().toISOString(), ok: result.error === null, error: result.error, test: true };
  // The post is not part of the write: only its outcome is kept, as the webhook's last attempt.
  await ctx.transaction((tx) => tx.notifications.recordChatAttempt(attempt, attempt.at));
  return attempt;
}
