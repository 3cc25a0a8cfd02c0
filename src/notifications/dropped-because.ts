/**
 * The sender's judgement of a claimed notification against the present (the choice as it is when
 * sent governs, docs/decisions.md "Notifications"): what is no longer true or no longer wanted is
 * dropped, with the reason stored on the row.
 */
import { chatPostUnwanted, type ChatWebhookSettings } from '../domain/notifications/chat-webhook.js';
import type { EmailChoice } from '../domain/notifications/preferences.js';
import type { ConversationGlance, NotificationRecord } from '../store/notification-port.js';

/** Why a claimed notification is no longer worth sending, or undefined to send it. */
export function droppedBecause(
  row: NotificationRecord,
  glance: ConversationGlance | undefined,
  presence: ReadonlyMap<string, string>,
  choice: EmailChoice | undefined,
  chat?: ChatWebhookSettings,
): string | undefined {
  if (row.conversationId && !glance) return 'the conversation no longer exists';
  if (row.channel === 'chat') {
    const unwanted = chat ? chatPostUnwanted(row.event, chat) : undefined;
    if (unwanted) return unwanted;
    return row.event === 'waiting' && (glance!.status !== 'open' || glance!.assigneeId !== null) ? 'no longer waiting' : undefined;
  }
  const status = presence.get(row.agentId ?? '');
  if (status === undefined) return 'the agent is not active';
  if (choice === undefined || choice === 'never') return 'the agent no longer wants it (never)';
  if (choice === 'when_away' && status === 'online') return 'the agent is online (when_away)';
  switch (row.event) {
    case 'handover':
      return glance!.status !== 'open' || glance!.assigneeId !== null ? 'no longer waiting' : undefined;
    case 'assigned':
    case 'customer_reply':
      return glance!.assigneeId !== row.agentId ? 'no longer theirs' : undefined;
    case 'sla':
      return glance!.status !== 'open' ? 'no longer open' : undefined;
    default:
      return undefined;
  }
}
