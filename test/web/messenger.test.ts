/**
 * The emulator's messenger in Chromium: a message over the limit is said before anything vanishes,
 * and the person's text is kept; it says who holds the conversation (Fin, waiting for a person, a
 * named person), collects an email while a person is to reply, and shows an agent's attachments.
 */
import { describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/finch.js';
import { MESSAGE_LIMIT } from '../../src/emulator/pages.js';
import { inboxOn } from './support.js';

describe.each(sqlBackends())('the messenger (%s)', (backend) => {
  const harness = inboxOn(backend);

  it("says in the messenger that a message is over the limit, and keeps the person's text", async () => {
    const { page: messenger } = await harness.open();
    await messenger.goto(harness.loop.emulator.url);
    await messenger.getByLabel('Your name').fill('Eve');
    // The first question has the same limit, said the same way.
    await messenger.getByLabel('Your question').fill('q'.repeat(MESSAGE_LIMIT + 5));
    await messenger.getByRole('button', { name: 'Start chat' }).click();
    await expect.poll(() => messenger.getByRole('alert').innerText()).toMatch(/the limit is 10,000/);
    expect(await messenger.getByLabel('Your question').inputValue()).toHaveLength(MESSAGE_LIMIT + 5);
    await messenger.getByLabel('Your question').fill('Do you sell gift cards?');
    expect(await messenger.getByRole('alert').isVisible()).toBe(false);
    await messenger.getByRole('button', { name: 'Start chat' }).click();
    await messenger.locator('#thread .message.bot').first().waitFor();
    const before = await messenger.locator('#thread .message').count();

    const tooLong = 'a'.repeat(MESSAGE_LIMIT + 1);
    await messenger.getByLabel('Your message').fill(tooLong);
    await messenger.getByText(`${(MESSAGE_LIMIT + 1).toLocaleString('en')} / ${MESSAGE_LIMIT.toLocaleString('en')} characters`).waitFor();
    await messenger.getByLabel('Your message').press('Enter');
    const alert = messenger.getByRole('alert');
    await expect
      .poll(() => alert.innerText())
      .toBe(
        `Your message is ${(MESSAGE_LIMIT + 1).toLocaleString('en')} characters long; the limit is ${MESSAGE_LIMIT.toLocaleString('en')}. Shorten it or send it in parts.`,
      );
    expect(await messenger.getByLabel('Your message').inputValue()).toBe(tooLong);
    expect(await messenger.locator('#thread .message').count()).toBe(before);
    await harness.shot(messenger, 'messenger-over-limit');

    // The chat API refuses the same message: the page says so before sending, not after.
    const chatId = (await messenger.evaluate(() => (globalThis as any).localStorage.getItem('finch-chat'))) as string;
    const refused = await fetch(`${harness.loop.emulator.url}/api/chats/${chatId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: tooLong }),
    });
    expect(refused.status).toBe(400);

    // At the limit it goes through: the page and the chat API agree on where the limit is.
    await messenger.getByLabel('Your message').fill('b'.repeat(MESSAGE_LIMIT));
    await messenger.getByLabel('Your message').press('Enter');
    await expect.poll(() => messenger.locator('#thread .message.user').count()).toBe(2);
    expect(await messenger.getByRole('alert').isVisible()).toBe(false);
    expect(await messenger.getByLabel('Your message').inputValue()).toBe('');
  });

  it('says who holds the conversation, collects an email, and shows an attachment an agent sent', async () => {
    const { page: messenger } = await harness.open();
    await messenger.goto(`${harness.loop.emulator.url}/?name=Rae`);
    expect(await messenger.getByLabel('Your name').inputValue()).toBe('Rae');
    await messenger.getByLabel('Your question').fill('Can I talk to a person about my invoice?');
    await messenger.getByRole('button', { name: 'Start chat' }).click();
    const status = messenger.getByRole('status');
    await expect.poll(() => status.innerText()).toBe('Waiting for a person to reply');

    // The email collector, while a person is to reply: Fin passes the email on with Update User.
    await messenger.getByLabel('Get the reply by email').first().waitFor();
    await messenger.locator('#collect-email').fill('rae@example.com');
    await messenger.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => messenger.locator('#collect').isVisible()).toBe(false);

    const chatId = (await messenger.evaluate(() => (globalThis as any).localStorage.getItem('finch-chat'))) as string;
    const conversationId = (await harness.loop.messenger.view(chatId)).chat.conversation_id!;
    const { agent } = harness.loop;
    expect((await agent.post(`/conversations/${conversationId}/takeover`)).status).toBe(200);
    await expect.poll(() => status.innerText(), { timeout: 10_000 }).toBe('You are talking with Hana');

    // A reply that is only a file: the messenger shows it as a link named by the file, not an empty bubble.
    const reply = await agent.post(`/conversations/${conversationId}/messages`, {
      attachments: [{ url: 'https://files.example.com/invoices/invoice-42.pdf', filename: 'Invoice 42.pdf' }],
    });
    expect(reply.status).toBe(201);
    const link = messenger.locator('#thread .message.agent a', { hasText: 'Invoice 42.pdf' });
    await link.waitFor({ timeout: 10_000 });
    expect(await link.getAttribute('href')).toBe('https://files.example.com/invoices/invoice-42.pdf');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await harness.shot(messenger, 'messenger-agent-attachment');
  });
});
