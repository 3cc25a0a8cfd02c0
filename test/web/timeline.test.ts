/**
 * The conversation's timeline in Chromium against a real Finch: Fin's hand-over with its reason,
 * then a take-over by a colleague, appearing live (no reload) in another agent's open conversation.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import type { ActivityView } from '../../web/src/api/activity.js';
import { line, shown } from '../../web/src/conversation/timeline-lines.js';
import { inboxOn } from './support.js';

describe.each(sqlBackends())('the timeline on %s (Chromium)', (backend) => {
  const harness = inboxOn(backend);

  it('shows the hand-over and why, then a take-over, live', async () => {
    const finch = harness.loop.finch;
    const conversation = await finConversation(finch, 'Where is my parcel?');
    expect((await finch.client('rest').call('update_conversation', { conversation_id: conversation.id, assignee_id: null })).status).toBe(200);

    const { page: ivan } = await harness.open();
    await signIn(ivan, finch.baseUrl, 'ivan@example.com', PASSWORD);
    await ivan.goto(harness.conversationUrl(conversation.id));
    const timeline = ivan.getByRole('region', { name: 'Activity' });
    await timeline.getByText('Fin started the conversation').waitFor();
    await timeline.getByText('Fin handed it over').waitFor();
    expect(await timeline.locator('li time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Hana takes it over in her inbox: Ivan's timeline shows it without a reload.
    const { page: hana } = await harness.open();
    await signIn(hana, finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.goto(harness.conversationUrl(conversation.id));
    await hana.getByRole('button', { name: 'Take over' }).click();
    await hana.getByRole('region', { name: 'Activity' }).getByText('Hana took it').waitFor();
    await timeline.getByText('Hana took it').waitFor({ timeout: 5000 });
    expect(await timeline.locator('li').allTextContents()).toEqual([
      expect.stringContaining('Fin started the conversation'),
      expect.stringContaining('Fin handed it over'),
      expect.stringContaining('Hana took it'),
    ]);

    // The customer comes back after Hana resolved it: it returns to her.
    await hana.getByRole('button', { name: 'Resolve' }).click();
    await timeline.getByText('Resolved by Hana').waitFor({ timeout: 5000 });
    const message = await finch
      .client('rest')
      .call('create_message', { conversation_id: conversation.id, body: 'Still nothing', author: { id: conversation.user.id, user_type: 'end_user' } });
    expect(message.status).toBe(201);
    await timeline.getByText('Reopened by the customer').waitFor({ timeout: 5000 });
    await timeline.getByText('Back to Hana: the customer returned').waitFor();
    await timeline.getByText('Eve End-User replied').waitFor();
    await timeline.scrollIntoViewIfNeeded();
    await harness.shot(ivan, 'timeline');
  });
});

describe('the timeline’s lines', () => {
  const at = '2026-11-30T10:00:00.000Z';
  const ana = { type: 'agent', id: 'agent_ana', name: 'Ana' } as const;
  const system = { type: 'system', id: null, name: 'Finch' } as const;
  const fin = { type: 'fin', id: null, name: 'Fin' } as const;
  const customer = { type: 'end_user', id: 'user_1', name: 'Eve' } as const;
  const event = (fields: Pick<ActivityView, 'kind' | 'actor' | 'details'>) => ({ id: 'act_1', at, ...fields }) as ActivityView;
  const assigned = (how: string, assignee = 'Ana', actor: ActivityView['actor'] = system) =>
    event({
      kind: 'assigned',
      actor,
      details: {
        assignee_id: assignee === 'Ana' ? 'agent_ana' : 'agent_x',
        assignee_name: assignee,
        previous_assignee_id: null,
        previous_assignee_name: null,
        how,
      },
    } as never);

  it.each([
    ['created', event({ kind: 'created', actor: fin, details: {} }), 'Fin started the conversation'],
    ["Fin's hand-over", event({ kind: 'handed_over', actor: fin, details: { reason: null } }), 'Fin handed it over'],
    ['the fail-safe', event({ kind: 'handed_over', actor: system, details: { reason: 'fin_unreachable' } }), 'Handed over: Fin unreachable'],
    ["the customer's return", event({ kind: 'handed_over', actor: customer, details: { reason: 'customer_returned' } }), 'Handed over: customer returned'],
    ['an agent unassigning', event({ kind: 'handed_over', actor: ana, details: { reason: 'agent_unassigned' } }), 'Handed over: unassigned by Ana'],
    ['routing', assigned('automatic'), 'Assigned to Ana automatically'],
    ['a take-over', assigned('manual', 'Ana', ana), 'Ana took it'],
    ['an assignment', assigned('manual', 'Bo', ana), 'Assigned to Bo by Ana'],
    ['a hand-back', assigned('manual', 'Fin', ana), 'Handed back to Fin by Ana'],
    ['a return', assigned('return', 'Ana', customer), 'Back to Ana: the customer returned'],
    ['Fin assigning', assigned('fin', 'Bo', fin), 'Fin assigned it to Bo'],
    [
      'the first reply',
      event({ kind: 'first_human_reply', actor: ana, details: { agent_id: 'agent_ana', agent_name: 'Ana', message_id: 'msg_1' } }),
      'First reply by Ana',
    ],
    ['a customer reply', event({ kind: 'customer_replied', actor: customer, details: { message_id: 'msg_2' } }), 'Eve replied'],
    ['resolving', event({ kind: 'status_changed', actor: ana, details: { from: 'open', to: 'resolved' } }), 'Resolved by Ana'],
    ['reopening', event({ kind: 'reopened', actor: customer, details: { from: 'closed' } }), 'Reopened by the customer'],
    [
      'unassigning',
      event({ kind: 'unassigned', actor: ana, details: { previous_assignee_id: 'agent_bo', previous_assignee_name: 'Bo' } }),
      'Unassigned from Bo by Ana',
    ],
  ])('reads %s', (_name, shown, text) => {
    expect(line(shown)).toBe(text);
  });

  it('shows a reopening once, and other status changes as they are', () => {
    const reopened = [
      event({ kind: 'status_changed', actor: customer, details: { from: 'resolved', to: 'open' } }),
      { ...event({ kind: 'reopened', actor: customer, details: { from: 'resolved' } }), id: 'act_2' },
      { ...event({ kind: 'status_changed', actor: ana, details: { from: 'open', to: 'closed' } }), id: 'act_3' },
    ];
    expect(shown(reopened).map(line)).toEqual(['Reopened by the customer', 'Closed by Ana']);
  });

  it('says when an SLA target is due or was missed', () => {
    const breached = line(event({ kind: 'sla_breached', actor: system, details: { target: 'first_reply', due_at: at } }));
    expect(breached).toMatch(/^SLA breached \(first reply due .+\)$/);
    expect(line(event({ kind: 'sla_due_soon', actor: system, details: { target: 'resolution', due_at: at } }))).toMatch(/^Resolution due soon \(due .+\)$/);
  });
});
