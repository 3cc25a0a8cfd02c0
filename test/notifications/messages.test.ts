/** What an email and a chat post say: HTML escaped, links to the inbox, only a short excerpt. */
import { describe, expect, it } from 'vitest';
import { maskUrl, chatWebhookUrlProblem } from '../../src/domain/notifications/chat-webhook.js';
import { prefsFrom } from '../../src/domain/notifications/preferences.js';
import { emailMessage, EXCERPT_CHARACTERS } from '../../src/notifications/email-message.js';
import type { ConversationGlance, NotificationRecord } from '../../src/store/notification-port.js';

const row = (event: string, conversationId: string, payload: Record<string, unknown> = {}, id = `ntf_${conversationId}`): NotificationRecord => ({
  id,
  channel: 'email',
  event,
  eventKey: `${event}:${conversationId}`,
  conversationId,
  agentId: 'agent_1',
  recipient: 'a@example.com',
  payload,
  status: 'in_flight',
  attempts: 1,
  availableAt: '2026-01-01T00:00:00.000Z',
  lastError: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  sentAt: null,
});

describe('email bodies', () => {
  const glance: ConversationGlance = {
    id: 'conv_1',
    status: 'open',
    assigneeId: null,
    title: '<img src=x onerror=alert(1)> "refund" & more',
    customerName: 'Mallory <script>',
    lastCustomerText: `<p>${'word '.repeat(100)}</p>`,
  };

  it('escapes every value in HTML, links to the inbox and quotes only a short excerpt', () => {
    const message = emailMessage([row('customer_reply', 'conv_1')], new Map([['conv_1', glance]]), 'https://finch.example.com');
    expect(message.html).not.toMatch(/<img|<script/);
    expect(message.html).toContain('&#60;img src=x onerror=alert(1)&#62; &#34;refund&#34; &#38; more');
    expect(message.html).toContain('href="https://finch.example.com/c/conv_1"');
    expect(message.text).toContain('https://finch.example.com/c/conv_1');
    const excerpt = /“([^”]*)”/.exec(message.text)![1]!;
    expect(excerpt.length).toBeLessThanOrEqual(EXCERPT_CHARACTERS);
    expect(excerpt.endsWith('…')).toBe(true);
  });

  it('lists a group in one email', () => {
    const message = emailMessage([row('handover', 'conv_1'), row('assigned', 'conv_2')], new Map([['conv_1', glance]]), 'https://finch.example.com');
    expect(message.subject).toBe('2 updates in Finch');
    expect(message.text).toContain('/c/conv_1');
    expect(message.text).toContain('/c/conv_2');
  });

  it('quotes each event’s own words, and makes several replies on one conversation one entry with the latest words', () => {
    const reply = (conversationId: string, n: number, words: string) =>
      row('customer_reply', conversationId, { at: `2026-01-01T00:00:0${n}.000Z`, excerpt: words }, `ntf_${conversationId}_${n}`);
    const glances = new Map([
      ['conv_1', { ...glance, title: 'Order', customerName: 'Cust', lastCustomerText: 'what the conversation says now' }],
      ['conv_2', { ...glance, id: 'conv_2', title: 'Other', customerName: 'Dee', lastCustomerText: 'what the conversation says now' }],
    ]);
    const message = emailMessage(
      [reply('conv_1', 3, 'attempt 3'), reply('conv_1', 1, 'attempt 1'), reply('conv_2', 2, 'about the other thing'), reply('conv_1', 2, 'attempt 2')],
      glances,
      'https://finch.example.com',
    );
    expect(message.subject).toBe('2 updates in Finch');
    expect(message.text.split('\n\n')[0]).toBe('Cust replied (3 new messages)\n  Order\n  “attempt 3”\n  https://finch.example.com/c/conv_1');
    expect(message.text).toContain('Dee replied\n  Other\n  “about the other thing”');
    expect(message.text).not.toMatch(/attempt 1|attempt 2|says now/);
    expect(message.html.match(/attempt 3/g)).toHaveLength(1);
  });
});

describe('chat webhook URLs', () => {
  it('accepts https:// and loopback http://, and refuses the rest', () => {
    expect(chatWebhookUrlProblem('https://hooks.slack.com/services/T0/B0/xyz')).toBeUndefined();
    expect(chatWebhookUrlProblem('https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t')).toBeUndefined();
    expect(chatWebhookUrlProblem('http://127.0.0.1:9000/hook')).toBeUndefined();
    expect(chatWebhookUrlProblem('http://hooks.example.com/x')).toMatch(/https/);
    expect(chatWebhookUrlProblem('https://10.0.0.5/x')).toMatch(/must not point to 10\.0\.0\.5/);
    expect(chatWebhookUrlProblem('https://10.0.0.5/x', ['10.0.0.0/8'])).toBeUndefined();
    expect(chatWebhookUrlProblem('https://user:pw@hooks.example.com/x')).toMatch(/credentials/);
    expect(chatWebhookUrlProblem('ftp://hooks.example.com/x')).toMatch(/https/);
  });

  it('is shown masked', () => {
    expect(maskUrl('https://hooks.slack.com/services/T000/B000/abcdefghij9Zq')).toBe('https://hooks.slack.com/…j9Zq');
  });
});

describe('preferences', () => {
  it('reads stored choices over the defaults and ignores what it cannot read', () => {
    expect(prefsFrom(null).email).toEqual({ handover: 'never', assigned: 'when_away', customer_reply: 'when_away', sla: 'when_away' });
    expect(prefsFrom({ email: { handover: 'always', sla: 'sometimes' } }).email).toMatchObject({ handover: 'always', sla: 'when_away' });
  });
});
