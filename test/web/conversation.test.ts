/**
 * A conversation in Chromium against a real Finch and the Fin emulator: the whole loop from the
 * messenger to an agent and back, notes that never reach the end-user, XSS and stale links shown
 * harmlessly, canned replies, uploads, editing details and attributes, the "not synced" banner, and
 * drafts that survive a reload.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { chatIdOf, inboxOn, say, startChat } from './support.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const window: any;

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = process.env.FINCH_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : undefined;

describe('a conversation (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('takes a hand-over from the messenger to an agent and back to a resolution', async () => {
    const messenger = await startChat(harness, 'How long does shipping take?');
    const { page: inbox } = await harness.open();
    await signIn(inbox, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await expect.poll(() => inbox.getByRole('button', { name: /Waiting for a human/ }).getAttribute('aria-current')).toBe('true');

    // The end-user asks for a person: the conversation appears in the waiting queue, no reload.
    await say(messenger, 'I want to talk to a human please');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const row = inbox.getByRole('link', { name: /How long does shipping take\?/ });
    await row.waitFor({ timeout: 5000 });
    await row.click();
    await inbox.getByRole('heading', { name: 'How long does shipping take?' }).waitFor();
    await expect.poll(() => inbox.locator('.message.from-fin .badge.fin').count()).toBeGreaterThan(0);

    // The agent takes it over and types: the messenger shows it.
    await inbox.getByRole('button', { name: 'Take over' }).click();
    await inbox.getByText('Assignee: Hana').waitFor();
    await inbox.getByLabel('Reply to the end-user').pressSequentially('Hi Eve, ');
    await messenger.getByText('Hana is typing…').waitFor({ timeout: 5000 });

    // The reply reaches the messenger; then the agent resolves.
    await inbox.getByLabel('Reply to the end-user').pressSequentially('it ships tomorrow.');
    await inbox.getByRole('button', { name: 'Send reply' }).click();
    await messenger.locator('#thread .message.agent', { hasText: 'Hi Eve, it ships tomorrow.' }).waitFor({ timeout: 5000 });
    await messenger.getByText('You are talking with Hana').waitFor();
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await inbox.screenshot({ path: path.join(SCREENSHOTS, 'inbox.png') });
      await messenger.setViewportSize({ width: 480, height: 720 });
      await messenger.screenshot({ path: path.join(SCREENSHOTS, 'messenger.png') });
    }
    await inbox.getByRole('button', { name: 'Resolve' }).click();
    await messenger.getByText('Resolved', { exact: true }).waitFor({ timeout: 5000 });
  });

  it('keeps a private note away from the messenger', async () => {
    const messenger = await startChat(harness, 'Where is my order?');
    await say(messenger, 'I want a human');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const { page: inbox } = await harness.open();
    await signIn(inbox, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await inbox.getByRole('link', { name: /Where is my order\?/ }).click();
    await inbox.getByRole('button', { name: 'Take over' }).click();
    await inbox.getByRole('radio', { name: 'Private note' }).check();
    await inbox.getByLabel('Private note for agents').fill('Customer is a VIP, handle with care');
    await inbox.getByRole('button', { name: 'Add note' }).click();
    await inbox.locator('.message.note', { hasText: 'Customer is a VIP' }).getByText('Private note').waitFor();
    // A public reply after it, so there is something to wait for in the messenger.
    await inbox.getByRole('radio', { name: 'Reply' }).check();
    await inbox.getByLabel('Reply to the end-user').fill('Looking into it now.');
    await inbox.getByRole('button', { name: 'Send reply' }).click();
    await messenger.getByText('Looking into it now.').waitFor({ timeout: 5000 });
    expect(await messenger.locator('#thread').innerText()).not.toContain('VIP');
  });

  it('shows XSS payloads from the end-user, from Fin and from an agent as text, and never runs them', async () => {
    const payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>';
    const messenger = await startChat(harness, `Hello ${payload}`);
    let dialogs = 0;
    messenger.on('dialog', (dialog) => void ((dialogs += 1), dialog.dismiss()));
    await say(messenger, 'I want a human');
    const conversationId = (await harness.loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    // Fin mirrors HTML of its own: Finch sanitizes it on the way in, the inbox again before rendering.
    await harness.loop.finch.client('rest').call('create_message', {
      conversation_id: conversationId,
      body: '<p>From Fin <a href="javascript:window.__xss=3">link</a><img src=x onerror="window.__xss=4"></p>',
      author: { id: (await harness.loop.finch.store.findFinAgent()).id, user_type: 'agent' },
    });

    const { page: inbox } = await harness.open();
    inbox.on('dialog', (dialog) => void ((dialogs += 1), dialog.dismiss()));
    await signIn(inbox, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await inbox.goto(`${harness.loop.finch.baseUrl}/c/${conversationId}`);
    await inbox.locator('.message.end_user', { hasText: 'Hello <img src=x onerror="window.__xss=1;alert(1)">' }).waitFor();
    await inbox.getByRole('button', { name: 'Take over' }).click();
    await inbox.getByLabel('Reply to the end-user').fill(`Agent says ${payload}`);
    await inbox.getByRole('button', { name: 'Send reply' }).click();
    await inbox.locator('.message.agent', { hasText: 'Agent says <img' }).waitFor();
    await messenger.locator('#thread .message.agent', { hasText: 'Agent says <img' }).waitFor({ timeout: 5000 });
    await inbox.locator('.message', { hasText: 'From Fin' }).waitFor();

    expect(await inbox.locator('.message a[href^="javascript:"]').count()).toBe(0);
    expect(await inbox.locator('.thread img[onerror]').count()).toBe(0);
    expect(await inbox.evaluate(() => window.__xss)).toBeUndefined();
    expect(await messenger.evaluate(() => window.__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
  });

  it('inserts a canned reply typed as /shortcut, managed on its own page', async () => {
    const messenger = await startChat(harness, 'Do you gift wrap?');
    await say(messenger, 'I want a human');
    const conversationId = (await harness.loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await page.getByRole('link', { name: 'Canned replies' }).click();
    const add = page.getByRole('form', { name: 'Add a canned reply' });
    await add.getByLabel('Shortcut').fill('giftwrap');
    await add.getByLabel('Title').fill('Gift wrapping');
    await add.getByLabel('Text').fill('Yes, we gift wrap every order for free.');
    await add.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('button', { name: 'Edit /giftwrap' }).waitFor();

    await page.goto(`${harness.loop.finch.baseUrl}/c/${conversationId}`);
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByLabel('Reply to the end-user').pressSequentially('/gift');
    await page.getByRole('option', { name: /giftwrap/ }).waitFor();
    await page.getByLabel('Reply to the end-user').press('Enter');
    expect(await page.getByLabel('Reply to the end-user').inputValue()).toBe('Yes, we gift wrap every order for free.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await messenger.getByText('Yes, we gift wrap every order for free.').waitFor({ timeout: 5000 });
  });

  it('explains why a file cannot be uploaded while Finch has no HTTPS public URL', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Upload attempt');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${harness.loop.finch.baseUrl}/c/${conversation.id}`);
    await page.getByLabel('Or upload a file').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByRole('alert').filter({ hasText: 'HTTPS' }).waitFor();
  });

  it('edits the conversation: title, tags and attributes (added, changed, removed)', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Attribute edits');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${harness.loop.finch.baseUrl}/c/${conversation.id}`);
    const panel = page.getByRole('form', { name: 'Conversation details' });
    await panel.getByLabel('Tags (comma-separated)').fill('vip, billing');
    await panel.getByLabel('New attribute name').fill('plan');
    await panel.getByLabel('New attribute value').fill('gold');
    await panel.getByRole('button', { name: 'Save conversation' }).click();
    await panel.getByLabel('plan').waitFor();
    const read = async () =>
      (await harness.loop.agent.get(`/conversations/${conversation.id}`)).body.conversation as { tags: string[]; attributes: Record<string, unknown> };
    expect(await read()).toMatchObject({ tags: ['vip', 'billing'], attributes: { plan: 'gold' } });

    await panel.getByLabel('plan').fill('');
    await panel.getByRole('button', { name: 'Save conversation' }).click();
    await expect.poll(async () => (await read()).attributes.plan).toBeUndefined();
  });

  it('shows "Not synced with Fin" for a dead-lettered conversation until Retry gets it to Fin', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Lost on the way');
    // As the dispatcher leaves it after the last failed attempt.
    await harness.loop.finch
      .database!.db.updateTable('conversations')
      .set({ fin_sync_failed_at: new Date().toISOString() })
      .where('id', '=', conversation.id)
      .execute();
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await page.goto(`${harness.loop.finch.baseUrl}/c/${conversation.id}`);
    const banner = page.getByRole('status').filter({ hasText: 'Not synced with Fin' });
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Retry' }).click();
    // The emulator stands in for Fin: once it has the notification, the banner goes, without a reload.
    await banner.waitFor({ state: 'detached', timeout: 5000 });
  });
});

describe.each(sqlBackends())("a conversation's stored content and drafts (%s)", (backend) => {
  const harness = inboxOn(backend);

  it('renders only absolute links and images in a body stored before the sanitizer refused relative ones', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Old body');
    // As stored by an older Finch: URLs a browser resolves against Finch itself, with the agent's cookie.
    const stale = [
      '<img src="/api/v1/session" alt="a">',
      '<img src="https:/api/v1/session" alt="b">',
      '<img src="https:api/v1/session" alt="c">',
      '<img src="htt\tps:/api/v1/session" alt="d">',
      '<a href="https:/api/v1/session">e</a>',
      '<a href=" //evil.example/x">f</a>',
      '<a href="https://example.com/ok">kept</a>',
      '<a href="mailto:help@example.com">mail</a>',
    ].join('');
    await harness.loop.finch
      .database!.db.updateTable('messages')
      .set({ body: `<p>${stale}</p>` })
      .where('conversation_id', '=', conversation.id)
      .execute();
    const { page } = await harness.open();
    const asked: string[] = [];
    // The inbox itself asks for its session; an image asking for it would be the stale body's.
    page.on('request', (request) => {
      if (request.resourceType() === 'image') asked.push(new URL(request.url()).pathname);
    });
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(conversation.id));
    const thread = page.locator('.message', { hasText: 'kept' });
    await thread.waitFor();
    expect(await thread.locator('img[src]').count()).toBe(0);
    expect(await thread.locator('a[href]').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual([
      'https://example.com/ok',
      'mailto:help@example.com',
    ]);
    expect(asked.filter((pathname) => pathname.includes('/api/'))).toEqual([]);
  });

  it('keeps a draft per conversation across a reload, and forgets it once sent', async () => {
    const first = await finConversation(harness.loop.finch, 'Draft one');
    const second = await finConversation(harness.loop.finch, 'Draft two');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(first.id));
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('Assignee: Hana').waitFor();
    await page.getByRole('radio', { name: 'Private note' }).check();
    await page.getByLabel('Private note for agents').fill('Check the refund first');

    await page.goto(harness.conversationUrl(second.id));
    await page.getByLabel('Reply to the end-user').fill('Half an answer');
    await page.reload();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('Half an answer');

    await page.goto(harness.conversationUrl(first.id));
    await expect.poll(() => page.getByLabel('Private note for agents').inputValue()).toBe('Check the refund first');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.message.note', { hasText: 'Check the refund first' }).waitFor();
    await page.reload();
    await page.locator('.message.note', { hasText: 'Check the refund first' }).waitFor();
    expect(await page.getByLabel('Reply to the end-user').inputValue()).toBe('');
  });
});
