/**
 * Collision detection in Chromium against a real Finch (issue 12, item 3): two agents in two
 * browser contexts on one conversation; one sees the other viewing it and typing a reply, live;
 * a reply sent after someone else replied asks to confirm, showing the newer message, and is sent
 * when confirmed.
 */
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { signIn } from '../support/browser.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { inboxOn } from './support.js';

describe('collision detection (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('shows one agent that the other views the conversation and types a reply', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Collision: refund');
    const { page: hana } = await harness.open();
    await signIn(hana, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.goto(harness.conversationUrl(conversation.id));
    const { page: ivan } = await harness.open();
    await signIn(ivan, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await ivan.goto(harness.conversationUrl(conversation.id));

    const others = hana.getByRole('status', { name: 'Others on this conversation' });
    await expect.poll(() => others.innerText(), { timeout: 5000 }).toContain('Ivan is also viewing this conversation.');
    await ivan.getByLabel('Reply to the end-user').pressSequentially('Let me check', { delay: 20 });
    await expect.poll(() => others.innerText(), { timeout: 5000 }).toContain('Ivan is typing a reply…');
    // Ivan sees Hana, never himself.
    await expect.poll(() => ivan.getByRole('status', { name: 'Others on this conversation' }).innerText(), { timeout: 5000 }).toContain('Hana');
    // Ivan leaves: Hana no longer sees him.
    await ivan.goto(harness.loop.finch.baseUrl);
    await expect.poll(() => others.count(), { timeout: 8000 }).toBe(0);
  });

  it('asks to confirm a reply when someone else replied since, showing their message', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Collision: delivery');
    const { page: hana } = await harness.open();
    await signIn(hana, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.goto(harness.conversationUrl(conversation.id));
    await hana.getByLabel('Reply to the end-user').fill('Your parcel left today.');
    // Meanwhile Ivan answers.
    const ivan = await AgentClient.signIn(harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect((await ivan.post(`/conversations/${conversation.id}/messages`, { body: '<p>It arrives tomorrow.</p>' })).status).toBe(201);

    await hana.getByRole('button', { name: 'Send reply' }).click();
    const prompt = hana.getByRole('alertdialog', { name: 'Someone replied since you started writing' });
    await prompt.waitFor({ timeout: 5000 });
    await expect.poll(() => prompt.innerText()).toContain('It arrives tomorrow.');
    // Not sent yet: the draft is still there.
    expect(await hana.getByLabel('Reply to the end-user').inputValue()).toBe('Your parcel left today.');
    await prompt.getByRole('button', { name: 'Send anyway' }).click();
    await expect.poll(() => prompt.count()).toBe(0);
    await expect.poll(() => hana.getByLabel('Reply to the end-user').inputValue()).toBe('');
    const thread = (await ivan.get(`/conversations/${conversation.id}`)).body.messages as { body: string }[];
    expect(thread.map((message) => message.body).slice(-2)).toEqual(['<p>It arrives tomorrow.</p>', '<p>Your parcel left today.</p>']);
  });
});
