import type { NotificationPrefs } from '../../notifications/preferences.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';

export interface NotificationPrefsReport {
  prefs: NotificationPrefs;
  /** A sender that can send email has started (FINCH_SMTP_URL set). */
  emailEnabled: boolean;
  emailAddress: string;
}

/** `GET /api/v1/me/notifications`: the agent's email choices, and whether Finch sends email at all. */
export async function readNotificationPrefs(ctx: HelpdeskContext, agent: Agent): Promise<NotificationPrefsReport> {
  const [prefs, channels] = await Promise.all([ctx.notifications.preferencesOf(agent.id), ctx.notifications.deliveryChannels()]);
  return { prefs, emailEnabled: channels.email, emailAddress: agent.email };
}
