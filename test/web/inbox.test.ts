/**
 * The inbox in a real browser (Debian's Chromium through Playwright) against a real Finch and the
 * Fin emulator: the whole loop from the messenger to an agent and back, notes that never reach the
 * end-user, XSS shown as text, a second agent seeing a takeover live, sign-in refused, the admin
 * area closed to agents, a phone-sized screen, accessible names, and the size of the first load.
 */
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { launchBrowser, openPage, signIn, type WatchedPage } from '../support/browser.js';
import { startLoop, type Loop } from '../support/emulator.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const document: any;
declare const window: any;
declare const localStorage: any;

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = process.env.FINCH_SCREENSHOTS ? path.join(ROOT, 'docs/screenshots') : undefined;

describe('the inbox in Chromium', () => {
  let browser: Browser;
  let loop: Loop;
  const pages: WatchedPage[] = [];
  const open = async (viewport?: { width: number; height: number }) => {
    const watched = await openPage(browser, viewport ? { viewport } : {});
    pages.push(watched);
    return watched;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    loop = await startLoop('sqlite', 'rest', { retryIntervalMs: 300 });
    await makeAgent(loop.finch, 'Ivan', 'agent');
  });
  afterAll(async () => {
    await browser?.close();
    await loop?.close();
  });
  afterEach(async () => {
    // No test may leave a console error or an uncaught exception behind.
    for (const watched of pages.splice(0)) {
      expect(watched.errors).toEqual([]);
      await watched.context.close();
    }
  });

  /** The emulator's messenger: an end-user starts a chat and waits for the bot's answer. */
  async function startChat(question: string): Promise<Page> {
    const { page } = await open();
    await page.goto(loop.emulator.url);
    await page.getByLabel('Your name').fill('Eve');
    await page.getByLabel('Your question').fill(question);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('#thread .message.bot').first().waitFor();
    return page;
  }

  async function say(messenger: Page, text: string): Promise<void> {
    await messenger.getByLabel('Your message').fill(text);
    await messenger.getByLabel('Your message').press('Enter');
  }

  it('takes a hand-over from the messenger to an agent and back to a resolution', async () => {
    const messenger = await startChat('How long does shipping take?');
    const { page: inbox } = await open();
    await signIn(inbox, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
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
    await messenger.getByText('You are talking with our team').waitFor();
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
    const messenger = await startChat('Where is my order?');
    await say(messenger, 'I want a human');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const { page: inbox } = await open();
    await signIn(inbox, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
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
    const messenger = await startChat(`Hello ${payload}`);
    let dialogs = 0;
    messenger.on('dialog', (dialog) => void ((dialogs += 1), dialog.dismiss()));
    await say(messenger, 'I want a human');
    const conversationId = (await loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    // Fin mirrors HTML of its own: Finch sanitizes it on the way in, the inbox again before rendering.
    await loop.finch.client('rest').call('create_message', {
      conversation_id: conversationId,
      body: '<p>From Fin <a href="javascript:window.__xss=3">link</a><img src=x onerror="window.__xss=4"></p>',
      author: { id: (await loop.finch.store.findFinAgent()).id, user_type: 'agent' },
    });

    const { page: inbox } = await open();
    inbox.on('dialog', (dialog) => void ((dialogs += 1), dialog.dismiss()));
    await signIn(inbox, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await inbox.goto(`${loop.finch.baseUrl}/c/${conversationId}`);
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

  it("shows a second agent another agent's takeover live", async () => {
    const messenger = await startChat('Can I change my address?');
    await say(messenger, 'I want a human');
    const conversationId = (await loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    const { page: ivan } = await open();
    await signIn(ivan, loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await ivan.getByRole('link', { name: /Can I change my address\?/ }).click();
    await ivan.getByText('Assignee: nobody').waitFor();

    const { page: hana } = await open();
    await signIn(hana, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.goto(`${hana.url().replace(/\/$/, '')}/c/${conversationId}`);
    await hana.getByRole('button', { name: 'Take over' }).click();

    // Ivan's open conversation and his waiting queue follow without a reload.
    await ivan.getByText('Assignee: Hana').waitFor({ timeout: 3000 });
    await expect.poll(() => ivan.getByRole('link', { name: /Can I change my address\?/ }).count(), { timeout: 3000 }).toBe(0);
  });

  it('inserts a canned reply typed as /shortcut, managed on its own page', async () => {
    const messenger = await startChat('Do you gift wrap?');
    await say(messenger, 'I want a human');
    const conversationId = (await loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await page.getByRole('link', { name: 'Canned replies' }).click();
    const add = page.getByRole('form', { name: 'Add a canned reply' });
    await add.getByLabel('Shortcut').fill('giftwrap');
    await add.getByLabel('Title').fill('Gift wrapping');
    await add.getByLabel('Text').fill('Yes, we gift wrap every order for free.');
    await add.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('button', { name: 'Edit /giftwrap' }).waitFor();

    await page.goto(`${loop.finch.baseUrl}/c/${conversationId}`);
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByLabel('Reply to the end-user').pressSequentially('/gift');
    await page.getByRole('option', { name: /giftwrap/ }).waitFor();
    await page.getByLabel('Reply to the end-user').press('Enter');
    expect(await page.getByLabel('Reply to the end-user').inputValue()).toBe('Yes, we gift wrap every order for free.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await messenger.getByText('Yes, we gift wrap every order for free.').waitFor({ timeout: 5000 });
  });

  it('explains why a file cannot be uploaded while Finch has no HTTPS public URL', async () => {
    const conversation = await finConversation(loop.finch, 'Upload attempt');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${loop.finch.baseUrl}/c/${conversation.id}`);
    await page.getByLabel('Or upload a file').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByRole('alert').filter({ hasText: 'HTTPS' }).waitFor();
  });

  it('edits the conversation: title, tags and attributes (added, changed, removed)', async () => {
    const conversation = await finConversation(loop.finch, 'Attribute edits');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${loop.finch.baseUrl}/c/${conversation.id}`);
    const panel = page.getByRole('form', { name: 'Conversation details' });
    await panel.getByLabel('Tags (comma-separated)').fill('vip, billing');
    await panel.getByLabel('New attribute name').fill('plan');
    await panel.getByLabel('New attribute value').fill('gold');
    await panel.getByRole('button', { name: 'Save conversation' }).click();
    await panel.getByLabel('plan').waitFor();
    const read = async () => (await loop.agent.get(`/conversations/${conversation.id}`)).body.conversation as { tags: string[]; attributes: Record<string, unknown> };
    expect(await read()).toMatchObject({ tags: ['vip', 'billing'], attributes: { plan: 'gold' } });

    await panel.getByLabel('plan').fill('');
    await panel.getByRole('button', { name: 'Save conversation' }).click();
    await expect.poll(async () => (await read()).attributes.plan).toBeUndefined();
  });

  it('shows "Not synced with Fin" for a dead-lettered conversation until Retry gets it to Fin', async () => {
    const conversation = await finConversation(loop.finch, 'Lost on the way');
    // As the dispatcher leaves it after the last failed attempt.
    await loop.finch.database!.db.updateTable('conversations').set({ fin_sync_failed_at: new Date().toISOString() }).where('id', '=', conversation.id).execute();
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await page.goto(`${loop.finch.baseUrl}/c/${conversation.id}`);
    const banner = page.getByRole('status').filter({ hasText: 'Not synced with Fin' });
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Retry' }).click();
    // The emulator stands in for Fin: once it has the notification, the banner goes, without a reload.
    await banner.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('notifies an agent who allowed it of a new hand-over, with a chime', async () => {
    const { page, context } = await open();
    await context.grantPermissions(['notifications'], { origin: loop.finch.baseUrl });
    // Records what the page shows and plays, as the browser would.
    await page.addInitScript(() => {
      const shown: string[] = [];
      (window as any).__notifications = shown;
      (window as any).Notification = class {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        constructor(title: string) {
          shown.push(title);
        }
      };
      (window as any).__tones = 0;
      const Original = window.AudioContext;
      (window as any).AudioContext = class extends Original {
        createOscillator() {
          (window as any).__tones += 1;
          return super.createOscillator();
        }
      };
    });
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /Waiting for a human/ }).waitFor();
    await expect.poll(() => page.locator('.count').first().innerText()).not.toBe('–');

    const messenger = await startChat('Is there a discount for students?');
    await say(messenger, 'I want a human');
    await expect.poll(() => page.evaluate(() => window.__notifications), { timeout: 5000 }).toEqual(['A conversation is waiting for a human']);
    expect(await page.evaluate(() => window.__tones)).toBeGreaterThan(0);
  });

  it('keeps a long queue light: only the rows on screen are in the page, and more load on scroll', async () => {
    for (let i = 0; i < 120; i++) await finConversation(loop.finch, `Bulk conversation ${i}`);
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^Fin is handling/ }).click();
    await page.locator('.row-title', { hasText: /^Bulk conversation 119$/ }).waitFor();
    const rendered = await page.locator('.list .row').count();
    expect(rendered).toBeLessThan(40);
    // Scrolling to the end loads the next pages (cursor pagination) until the oldest appears.
    await expect
      .poll(
        async () => {
          await page.locator('.list').evaluate((list: any) => list.scrollTo(0, list.scrollHeight));
          return page.locator('.row-title', { hasText: /^Bulk conversation 0$/ }).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(await page.locator('.list .row').count()).toBeLessThan(40);
  });

  it('refuses a wrong password', async () => {
    const { page } = await open();
    await page.goto(loop.finch.baseUrl);
    await page.getByLabel('Email').fill('hana@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/password/i);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('keeps an agent out of the admin area, and lets an admin in', async () => {
    const { page: ivan } = await open();
    await signIn(ivan, loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect(await ivan.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await ivan.goto(`${loop.finch.baseUrl}/admin/agents`);
    await ivan.getByRole('heading', { name: 'Admins only' }).waitFor();
    expect(await ivan.getByRole('table').count()).toBe(0);

    const { page: hana } = await open();
    await signIn(hana, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.getByRole('link', { name: 'Admin' }).click();
    await hana.getByRole('cell', { name: 'ivan@example.com' }).waitFor();
    await hana.getByRole('link', { name: 'Delivery log' }).click();
    await hana.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await hana.getByRole('link', { name: 'Fin settings' }).click();
    await hana.getByText(/Notifying Fin at http:\/\/127\.0\.0\.1/).waitFor();
  });

  it('lets an admin invite and deactivate an agent, and create and revoke tokens and OAuth clients (secrets shown once)', async () => {
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${loop.finch.baseUrl}/admin/agents`);
    const invite = page.getByRole('form', { name: 'Invite an agent' });
    await invite.getByLabel('Name').fill('Jo New');
    await invite.getByLabel('Email').fill('jo.new@example.com');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('status').filter({ hasText: 'Password (shown only now): jo.new@example.com:' }).waitFor();
    await page.getByRole('button', { name: 'Deactivate Jo New' }).click();
    await page.getByRole('button', { name: 'Reactivate Jo New' }).waitFor();

    await page.getByRole('link', { name: 'API tokens' }).click();
    const token = page.getByRole('form', { name: 'Create an API token' });
    await token.getByLabel('Token name').fill('ci script');
    await token.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByRole('status').filter({ hasText: 'Token (shown only now):' }).locator('code').innerText();
    expect((await new AgentClient(loop.finch.baseUrl, shown).get('/conversations/counts')).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke ci script' }).click();
    await expect.poll(async () => (await new AgentClient(loop.finch.baseUrl, shown).get('/conversations/counts')).status).toBe(401);

    await page.getByRole('link', { name: 'OAuth clients' }).click();
    const client = page.getByRole('form', { name: 'Create an OAuth client' });
    await client.getByLabel('Client name').fill('Fin staging');
    await client.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('status').filter({ hasText: /client secret fcs_/ }).waitFor();
    await page.getByRole('button', { name: 'Revoke Fin staging' }).click();
    await page.getByRole('button', { name: 'Revoke Fin staging' }).waitFor({ state: 'detached' });
  });

  it('works on a phone-sized screen, with a name on every control', async () => {
    const messenger = await startChat('Do you ship to Norway?');
    await say(messenger, 'I want a human');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const { page } = await open({ width: 390, height: 844 });
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).click();
    await page.getByRole('button', { name: 'Back to the list' }).waitFor();
    await page.getByLabel('Reply to the end-user').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).waitFor();

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${loop.finch.baseUrl}/`);
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).click();
    await page.getByLabel('Reply to the end-user').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
  });

  it('opens the shortcut help with ? and moves through conversations with j and k', async () => {
    await finConversation(loop.finch, 'Shortcut one');
    await finConversation(loop.finch, 'Shortcut two');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.locator('.list .row').first().waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.keyboard.press('j');
    await page.waitForURL(/\/c\/conv_/);
    const first = page.url();
    await page.keyboard.press('j');
    await expect.poll(() => page.url()).not.toBe(first);
    await page.keyboard.press('k');
    await expect.poll(() => page.url()).toBe(first);
    await page.keyboard.press('n');
    await page.getByLabel('Private note for agents').waitFor();
  });
});

describe('the inbox bundle', () => {
  it('loads at most 150 kB of JavaScript (gzip) first', () => {
    const web = path.join(ROOT, 'dist/web');
    const index = readFileSync(path.join(web, 'index.html'), 'utf8');
    const scripts = [...index.matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g), ...index.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(web, 'assets'))).toEqual(expect.arrayContaining(scripts));
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(path.join(web, 'assets', name))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
  });
});

/** The chat id the messenger keeps in localStorage. */
async function chatIdOf(messenger: Page): Promise<string> {
  return (await messenger.evaluate(() => localStorage.getItem('finch-chat')))!;
}

/** Buttons, links, fields without an accessible name (label, aria-label, aria-labelledby or text). */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('button, a[href], input, select, textarea')]
      .filter((element: any) => {
        const control = element;
        if (control.type === 'hidden') return false;
        const named =
          control.getAttribute('aria-label') ||
          control.getAttribute('aria-labelledby') ||
          (control.labels && control.labels.length > 0) ||
          (element.textContent ?? '').trim() ||
          element.querySelector('img[alt]:not([alt=""])');
        return !named;
      })
      .map((element: any) => element.outerHTML.slice(0, 120)),
  );
}
