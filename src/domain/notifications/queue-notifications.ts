import type { ActivityEvent } from '../activity/activity.js';
import type { HelpdeskTransaction } from '../../store/helpdesk-port.js';
import type { EmailRecipient, NewNotification } from '../../store/notification-port.js';
import { CHAT_RECIPIENT } from './chat-webhook.js';
import { excerpt } from './excerpt.js';
import type { EmailEvent } from './preferences.js';

/**
 * Bursts are grouped (docs/decisions.md, "Notifications"): an agent's first email goes at once;
 * what happens to them within the next 30 s waits for the window to close and goes as one email.
 */
export const GROUP_WINDOW_MS = 30_000;

/**
 * A hand-over's "waiting" email waits this long first: automatic assignment takes a waiting
 * conversation in well under that, and then the email would no longer be true (the sender drops
 * it: the conversation is no longer waiting). Other events go at once.
 */
export const HANDOVER_HOLD_MS = 5_000;

/** One email notification before grouping: which recipient, what about, when at the earliest. */
interface EmailIntent {
  to: EmailRecipient;
  event: EmailEvent;
  eventKey: string;
  conversationId: string;
  earliest: number;
  at: string;
  details: Record<string, unknown>;
}

/**
 * The notifications the events call for, queued in the same transaction (never lost, never sent
 * for a change that did not commit), issue 12 item 4:
 * - `handed_over` → the agents who chose `handover` (dropped when sent if it is no longer waiting);
 * - `assigned` to a person, not by themselves → that person (`assigned`);
 * - `customer_replied` → the person who holds the conversation (`customer_reply`);
 * - `sla_due_soon` → the person who holds it, or everyone who chose `sla` while nobody does;
 * - `sla_breached` → the team's chat webhook, when one is set for breaches.
 * `never` is left out here; `when_away` is judged when the email is sent. No email is queued while
 * no sender can send one (`deliveryChannels`).
 */
export async function queueNotifications(tx: HelpdeskTransaction, events: readonly ActivityEvent[]): Promise<void> {
  const wanted = events.filter((event) => ['handed_over', 'assigned', 'customer_replied', 'sla_due_soon', 'sla_breached'].includes(event.kind));
  if (wanted.length === 0) return;
  const chat = wanted.some((event) => event.kind === 'sla_breached') ? await tx.notifications.chatWebhook() : undefined;
  // Without a sender that can send email (FINCH_SMTP_URL unset), email is off: nothing piles up.
  const emailing = wanted.some((event) => event.kind !== 'sla_breached') && (await tx.notifications.deliveryChannels()).email;
  const team = emailing ? await tx.notifications.emailRecipients() : [];
  const byId = new Map(team.map((recipient) => [recipient.agentId, recipient]));
  const needHolders = wanted.filter((event) => event.kind === 'customer_replied' || event.kind === 'sla_due_soon').map((event) => event.conversationId);
  const holders = needHolders.length > 0 ? await tx.notifications.assigneesOf([...new Set(needHolders)]) : new Map<string, string>();
  // Each email quotes the words its event is about, read now: a reply's own message, a hand-over's latest customer message.
  const repliedWith = emailing
    ? await tx.notifications.messageBodies(wanted.flatMap((event) => (event.kind === 'customer_replied' ? [event.details.messageId] : [])))
    : new Map<string, string>();
  const handedOver = wanted.filter((event) => event.kind === 'handed_over').map((event) => event.conversationId);
  const glances = emailing && handedOver.length > 0 ? await tx.notifications.glance([...new Set(handedOver)]) : new Map();

  const intents: EmailIntent[] = [];
  const chats: NewNotification[] = [];
  const email = (to: EmailRecipient | undefined, event: EmailEvent, eventKey: string, source: ActivityEvent, details: Record<string, unknown>, holdMs = 0) => {
    if (!to || to.prefs.email[event] === 'never') return;
    intents.push({ to, event, eventKey, conversationId: source.conversationId, earliest: Date.parse(source.at) + holdMs, at: source.at, details });
  };

  wanted.forEach((event, index) => {
    const conversation = event.conversationId;
    switch (event.kind) {
      case 'handed_over': {
        // Assigned in the same change (automatic assignment at once): it never waited.
        const assignedAlready = wanted.slice(index + 1).some((later) => later.kind === 'assigned' && later.conversationId === conversation);
        if (assignedAlready) return;
        const words = excerpt(glances.get(conversation)?.lastCustomerText ?? null);
        for (const to of team)
          email(to, 'handover', `handover:${conversation}:${event.at}`, event, { reason: event.details.reason, excerpt: words }, HANDOVER_HOLD_MS);
        return;
      }
      case 'assigned': {
        const { assigneeId, how } = event.details;
        if (event.actor.type === 'agent' && event.actor.id === assigneeId) return;
        email(byId.get(assigneeId), 'assigned', `assigned:${conversation}:${event.at}`, event, {
          how,
          by: event.actor.type === 'agent' ? event.actor.id : event.actor.type,
        });
        return;
      }
      case 'customer_replied': {
        const holder = holders.get(conversation);
        email(holder ? byId.get(holder) : undefined, 'customer_reply', `customer_reply:${event.details.messageId}`, event, {
          messageId: event.details.messageId,
          excerpt: excerpt(repliedWith.get(event.details.messageId) ?? null),
        });
        return;
      }
      case 'sla_due_soon': {
        const holder = holders.get(conversation);
        const key = `sla_due_soon:${conversation}:${event.details.target}:${event.details.dueAt}`;
        const details = { target: event.details.target, dueAt: event.details.dueAt };
        if (holder) email(byId.get(holder), 'sla', key, event, details);
        else for (const to of team) email(to, 'sla', key, event, details);
        return;
      }
      case 'sla_breached': {
        if (!chat?.url || !chat.slaBreaches) return;
        chats.push({
          channel: 'chat',
          event: 'sla_breached',
          eventKey: `sla_breached:${conversation}:${event.details.target}:${event.details.dueAt}`,
          conversationId: conversation,
          agentId: null,
          recipient: CHAT_RECIPIENT,
          payload: { target: event.details.target, dueAt: event.details.dueAt, at: event.at },
          availableAt: event.at,
          at: event.at,
        });
        return;
      }
      default:
        return;
    }
  });

  await tx.notifications.enqueue([...chats, ...(await grouped(tx, intents))]);
}

/**
 * The intents as notifications, each given the time its recipient's group goes (GROUP_WINDOW_MS):
 * with the recipient's pending group if there is one; else, within the window after their last
 * email, when the window closes; else at once.
 */
async function grouped(tx: HelpdeskTransaction, intents: readonly EmailIntent[]): Promise<NewNotification[]> {
  if (intents.length === 0) return [];
  const earliest = Math.min(...intents.map((intent) => intent.earliest));
  const recipients = [...new Set(intents.map((intent) => intent.to.email))];
  const stored = await tx.notifications.emailSlots(recipients, new Date(earliest - GROUP_WINDOW_MS).toISOString());
  const pending = new Map<string, number>();
  for (const [recipient, slot] of stored) if (slot.pendingAt !== null) pending.set(recipient, Date.parse(slot.pendingAt));
  return [...intents]
    .sort((a, b) => a.earliest - b.earliest)
    .map((intent) => {
      const recipient = intent.to.email;
      const group = pending.get(recipient);
      const sentAt = stored.get(recipient)?.sentAt;
      const sent = sentAt ? Date.parse(sentAt) : undefined;
      const slot =
        group !== undefined
          ? Math.max(group, intent.earliest)
          : sent !== undefined && sent + GROUP_WINDOW_MS > intent.earliest
            ? sent + GROUP_WINDOW_MS
            : intent.earliest;
      if (group === undefined) pending.set(recipient, slot);
      return {
        channel: 'email' as const,
        event: intent.event,
        eventKey: intent.eventKey,
        conversationId: intent.conversationId,
        agentId: intent.to.agentId,
        recipient,
        payload: { ...intent.details, at: intent.at, choice: intent.to.prefs.email[intent.event] },
        availableAt: new Date(slot).toISOString(),
        at: intent.at,
      };
    });
}
