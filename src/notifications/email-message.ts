/**
 * One email for a group of notifications to one agent (issue 12 item 4): a subject, a plain-text
 * and an HTML body (every value HTML-escaped), a link to each conversation in the inbox
 * (`${FINCH_PUBLIC_URL}/c/<id>`, web/src/router.ts), and of the customer's words only a short excerpt:
 * each event's own (kept in its payload when it was queued). Several replies on one conversation
 * are one entry ("3 new messages", the latest one's excerpt).
 */
import { excerpt, EXCERPT_CHARACTERS } from '../domain/notifications/excerpt.js';
import type { ConversationGlance, NotificationRecord } from '../store/notification-port.js';

export { EXCERPT_CHARACTERS };

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
  const lines: Line[] = entries(items).map(({ item, count }) => {
    const glance = item.conversationId ? glances.get(item.conversationId) : undefined;
    const who = glance?.customerName?.trim() || 'A customer';
    // The event's own words (queued with it); a row queued without them falls back to the conversation's latest.
    const own = typeof item.payload.excerpt === 'string' ? item.payload.excerpt : excerpt(glance?.lastCustomerText ?? null);
    return {
      headline: count > 1 ? `${who} replied (${count} new messages)` : headline(item, who),
      title: glance?.title?.trim() || `Conversation with ${who}`,
      excerpt: item.event === 'assigned' || item.event === 'sla' ? null : own || null,
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

/**
 * The email's entries in order of the events: customer replies on one conversation are one entry
 * (where the first was), standing for the latest of them (its excerpt) and counting them all.
 */
function entries(items: readonly NotificationRecord[]): { item: NotificationRecord; count: number }[] {
  const sorted = [...items].sort((a, b) => when(a).localeCompare(when(b)) || a.id.localeCompare(b.id));
  const result: { item: NotificationRecord; count: number }[] = [];
  const replies = new Map<string, { item: NotificationRecord; count: number }>();
  for (const item of sorted) {
    const entry = item.event === 'customer_reply' && item.conversationId ? replies.get(item.conversationId) : undefined;
    if (entry) {
      entry.item = item;
      entry.count += 1;
      continue;
    }
    const fresh = { item, count: 1 };
    if (item.event === 'customer_reply' && item.conversationId) replies.set(item.conversationId, fresh);
    result.push(fresh);
  }
  return result;
}

/** When the event happened (its payload's `at`), else when it was queued. */
function when(item: NotificationRecord): string {
  return typeof item.payload.at === 'string' ? item.payload.at : item.createdAt;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
