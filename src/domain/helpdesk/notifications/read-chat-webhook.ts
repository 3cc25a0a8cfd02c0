import type { ChatWebhookSettings } from '../../notifications/chat-webhook.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { requireAdmin } from '../require-admin.js';

/** `GET /api/v1/settings/chat-webhook` (admins): the team's chat webhook (the edge shows its URL masked only). */
export async function readChatWebhook(ctx: HelpdeskContext, admin: Agent): Promise<ChatWebhookSettings> {
  requireAdmin(admin);
  return ctx.notifications.chatWebhook();
}
