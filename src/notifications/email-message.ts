/**
 * One email for a group of notifications to one agent (issue 12 item 4): a subject, a plain-text
 * and an HTML body (every value HTML-escaped), a link to each conversation in the inbox
 * (`${FINCH_PUBLIC_URL}/c/<id>`, web/src/router.ts), and of the customer's words only a short excerpt.
 */
import { htmlToText } from '../domain/content.js';
import type { ConversationGlance, NotificationRecord } from '../store/notification-port.js';

/** The most of a customer's message an email quotes. */
export const EXCERPT_CHARACTERS = 140;

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

interface Line {
  headline: string;
  title: string;
  excerpt: string | null;
  link: string;
}

/** The inbox's address of a conversation. */
export function conversationLink(publicUrl: string, conversationId: string): string {
  return `${publicUrl}/c/${encodeURIComponent(conversationId)}`;
}

export function emailMessage(items: readonly NotificationRecord[], glances: ReadonlyMap<string, ConversationGlance>, publicUrl: string): EmailMessage {
  const lines: Line[] = items.map((item) => {
    const glance = item.conversationId ? glances.get(item.conversationId) : undefined;
    const who = glance?.customerName?.trim() || 'A customer';
    return {
      headline: headline(item, who),
      title: glance?.title?.trim() || `Conversation with ${who}`,
      excerpt: item.event === 'assigned' || item.event === 'sla' ? null : excerpt(glance?.lastCustomerText ?? null),
      link: conversationLink(publicUrl, item.conversationId ?? ''),
    };
  });
  const first = lines[0]!;
  const subject = lines.length === 1 ? `${first.headline}: ${first.title}` : `${lines.length} updates in Finch`;
  const text = [
    ...lines.flatMap((line) => [line.headline, `  ${line.title}`, ...(line.excerpt ? [`  “${line.excerpt}”`] : []), `  ${line.link}`, '']),
    `Choose which emails you get in Finch: ${publicUrl}/ (your account).`,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...lines.map(
      (line) =>
        `<p><strong>${escapeHtml(line.headline)}</strong><br>${escapeHtml(line.title)}` +
        (line.excerpt ? `<br><em>“${escapeHtml(line.excerpt)}”</em>` : '') +
        `<br><a href="${escapeHtml(line.link)}">Open the conversation</a></p>`,
    ),
    `<p style="color:#666">Choose which emails you get in <a href="${escapeHtml(`${publicUrl}/`)}">Finch</a> (your account).</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: subject.replace(/[\r\n]+/g, ' '), text, html };
}

function headline(item: NotificationRecord, who: string): string {
  switch (item.event) {
    case 'handover':
      return `${who} is waiting for a person`;
    case 'assigned':
      return 'A conversation was assigned to you';
    case 'customer_reply':
      return `${who} replied`;
    case 'sla': {
      const due = typeof item.payload.dueAt === 'string' ? item.payload.dueAt : null;
      const what = item.payload.target === 'resolution' ? 'Resolution' : 'A reply';
      return `${what} is due soon${due ? ` (${due.slice(0, 16).replace('T', ' ')} UTC)` : ''}`;
    }
    default:
      return 'Something happened';
  }
}

/** The start of a message as plain text, cut at a word, at most EXCERPT_CHARACTERS long. */
function excerpt(body: string | null): string | null {
  const text = htmlToText(body);
  if (text === '') return null;
  if (text.length <= EXCERPT_CHARACTERS) return text;
  const cut = text.slice(0, EXCERPT_CHARACTERS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_CHARACTERS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
