/**
 * Which events email an agent, and when (`PUT /api/v1/me/notifications`, issue 12 item 4):
 * `always`; `when_away`, only while the agent is away or offline (judged when the email is sent,
 * not when the event happens: someone who came back meanwhile sees it in the inbox); `never`.
 */
export type EmailChoice = 'always' | 'when_away' | 'never';

/** The events an agent can be emailed about. */
export const EMAIL_EVENTS = ['handover', 'assigned', 'customer_reply', 'sla'] as const;
export type EmailEvent = (typeof EMAIL_EVENTS)[number];

export interface NotificationPrefs {
  email: Record<EmailEvent, EmailChoice>;
}

/**
 * Until an agent chooses (docs/decisions.md, "Notifications"): what is theirs (assigned to them, a
 * reply in their conversation, an SLA about to be missed) emails them when they are away; a
 * hand-over, which concerns the whole team and which routing or the chat webhook already carry,
 * emails nobody unless they ask for it.
 */
export const DEFAULT_PREFS: NotificationPrefs = {
  email: { handover: 'never', assigned: 'when_away', customer_reply: 'when_away', sla: 'when_away' },
};

const CHOICES: readonly EmailChoice[] = ['always', 'when_away', 'never'];

/** Stored choices over the defaults: an event added later reads as its default, an unreadable value as the default. */
export function prefsFrom(stored: unknown): NotificationPrefs {
  const email = { ...DEFAULT_PREFS.email };
  const given = stored && typeof stored === 'object' ? (stored as { email?: unknown }).email : undefined;
  if (given && typeof given === 'object') {
    for (const event of EMAIL_EVENTS) {
      const choice = (given as Record<string, unknown>)[event];
      if (CHOICES.includes(choice as EmailChoice)) email[event] = choice as EmailChoice;
    }
  }
  return { email };
}
