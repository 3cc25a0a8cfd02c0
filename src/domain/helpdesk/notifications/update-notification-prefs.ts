import { prefsFrom, type EmailChoice, type EmailEvent } from '../../notifications/preferences.js';
import type { Agent } from '../../model.js';
import type { HelpdeskContext } from '../context.js';
import { readNotificationPrefs, type NotificationPrefsReport } from './read-notification-prefs.js';

/**
 * `PUT /api/v1/me/notifications`: the agent changes which events email them and when; events left
 * out keep their choice. Read and written in one unit of work, so two tabs saving at once each
 * keep the other's events.
 */
export async function updateNotificationPrefs(
  ctx: HelpdeskContext,
  agent: Agent,
  email: Partial<Record<EmailEvent, EmailChoice>>,
): Promise<NotificationPrefsReport> {
  const at = ctx.now().toISOString();
  await ctx.transaction(async (tx) => {
    await tx.accounts.lockAgent(agent.id);
    const current = await tx.notifications.preferencesOf(agent.id);
    await tx.notifications.setPreferences(agent.id, prefsFrom({ email: { ...current.email, ...email } }), at);
  });
  return readNotificationPrefs(ctx, agent);
}
