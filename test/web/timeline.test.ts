/**
 * The conversation's timeline in Chromium against a real Finch: Fin's hand-over with its reason,
 * then a take-over by a colleague, appearing live (no reload) in another agent's open conversation.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
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
