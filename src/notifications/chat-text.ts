/**
 * What a chat notification says (Slack's `text`: `&`, `<` and `>` escaped as Slack asks; plain
 * enough for Mattermost, Rocket.Chat and Google Chat): what happened, the conversation's title and
 * a link to it. No message content.
 */
import type { ConversationGlance, NotificationRecord } from '../store/notification-port.js';
import { conversationLink } from './email-message.js';

export function chatText(row: NotificationRecord, glance: ConversationGlance | undefined, publicUrl: string): string {
  const who = glance?.customerName?.trim() || 'A customer';
  const title = glance?.title?.trim() || `conversation with ${who}`;
  const link = conversationLink(publicUrl, row.conversationId ?? '');
  const minutes = typeof row.payload.minutes === 'number' ? row.payload.minutes : null;
  const what =
    row.event === 'waiting'
      ? `${who} has waited ${minutes === null ? 'a while' : `over ${minutes} min`} for a person`
      : `SLA breached: ${row.payload.target === 'resolution' ? 'resolution' : 'first reply'} was due ${String(row.payload.dueAt ?? '')
          .slice(0, 16)
          .replace('T', ' ')} UTC`;
  return `${slack(what)}: ${slack(title)} ${link}`;
}

function slack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
