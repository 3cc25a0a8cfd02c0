import type { ChatAttempt, ChatWebhookSettings } from '../../notifications/chat-webhook.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

export interface ChatWebhookReport {
  settings: ChatWebhookSettings;
  /** The last post to the webhook since its URL was set (a notification or a test post); null: none yet. */
  lastAttempt: ChatAttempt | null;
}

/** `GET /api/v1/settings/chat-webhook` (admins): the team's chat webhook (the edge shows its URL masked only) and how its last post went. */
export async function readChatWebhook(ctx: HelpdeskContext, admin: Agent): Promise<ChatWebhookReport> {
  requireAdmin(admin);
  const [settings, lastAttempt] = await Promise.all([ctx.notifications.chatWebhook(), ctx.notifications.chatAttempt()]);
  return { settings, lastAttempt: settings.url ? lastAttempt : null };
}
