/**
 * What a chat notification says (Slack's `text`: `&`, `<` and `>` escaped as Slack asks; plain
 * enough for Mattermost, Rocket.Chat and Google Chat): what happened, the conversation's title and
 * a link to it. No message content. A burst is one post: a line saying how many of what, then one
 * line per event with its link.
 */
import { slackEscaped as slack } from '../domain/notifications/chat-webhook.js';
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

/** One post for a burst: `3 hand-overs waiting, 2 SLA breaches:` then a line per event (a single event: its line only). */
export function chatPostText(rows: readonly NotificationRecord[], glances: ReadonlyMap<string, ConversationGlance>, publicUrl: string): string {
  const lines = rows.map((row) => chatText(row, glances.get(row.conversationId ?? ''), publicUrl));
  if (rows.length === 1) return lines[0]!;
  const waiting = rows.filter((row) => row.event === 'waiting').length;
  const breaches = rows.length - waiting;
  const counts = [
    ...(waiting > 0 ? [`${waiting} hand-over${waiting === 1 ? '' : 's'} waiting`] : []),
    ...(breaches > 0 ? [`${breaches} SLA breach${breaches === 1 ? '' : 'es'}`] : []),
  ];
  return [`${counts.join(', ')}:`, ...lines.map((line) => `• ${line}`)].join('\n');
}
