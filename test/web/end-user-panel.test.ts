/**
 * The end-user panel in Chromium with what Fin may send (spec §4, lenient on Fin's input): an
 * email that is not an address is shown and kept as text (saving the name does not re-send it),
 * and a photo is shown only for an absolute HTTPS URL.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { PASSWORD } from '../support/helpdesk.js';
import { inboxOn } from './support.js';

/** A 1×1 PNG, served for the HTTPS photo so that the page loads it without the network. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('the end-user panel (Chromium)', () => {
  const harness = inboxOn('sqlite');

  /** A conversation from Fin whose end-user has the given loose email and photo. */
  async function conversationOf(title: string, email: string, photoUrl: string): Promise<string> {
    const fin = harness.loop.finch.client('rest');
    const created = await fin.call('create_conversation', {
      title,
      user: { name: 'Jane Loose', email, photo_url: photoUrl },
      initial_message: { body: 'Hello' },
    });
    if (created.status !== 201) throw new Error(`create_conversation: ${created.status} ${JSON.stringify(created.body)}`);
    return (created.payload as { conversation: { id: string } }).conversation.id;
  }

  it('keeps a loose email as text, saves the name without re-sending it, and shows no photo that is not HTTPS', async () => {
    const id = await conversationOf('Loose email', 'jane@example ', 'http://photos.example/jane.png');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(id));
    const panel = page.getByRole('form', { name: 'End-user' });
    await expect.poll(() => panel.getByLabel('Email').inputValue()).toBe('jane@example');
    expect(await panel.locator('img').count()).toBe(0);
    await panel.getByLabel('Name', { exact: true }).fill('Jane Kept');
    await panel.getByRole('button', { name: 'Save end-user' }).click();
    await expect.poll(async () => (await harness.loop.agent.get(`/conversations/${id}`)).body.user).toMatchObject({ name: 'Jane Kept', email: 'jane@example' });
    expect(await panel.getByRole('alert').count()).toBe(0);
  });

  it('shows the photo of an absolute HTTPS URL', async () => {
    const id = await conversationOf('HTTPS photo', 'jane@example.com', 'https://photos.example/jane.png');
    const { page } = await harness.open();
    await page.route('https://photos.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }));
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(id));
    const panel = page.getByRole('form', { name: 'End-user' });
    await expect.poll(() => panel.locator('img').getAttribute('src')).toBe('https://photos.example/jane.png');
  });
});
