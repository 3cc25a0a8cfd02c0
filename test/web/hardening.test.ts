/**
 * The inbox's answers to what goes wrong, in Chromium against a real Finch and the Fin emulator:
 * a session ended in another tab (back to sign-in, draft kept), a session renewed in another tab,
 * every refusal in an agent's words, search and the tag filter as the agent types, empty lists
 * that say why, queue counts that say what they count, a phone that reaches the filters and the
 * details, the delivery log on a phone, drafts that survive a reload, the password change, and the
 * messenger's message limit said before anything vanishes.
 */
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { launchBrowser, openPage, signIn, type WatchedPage } from '../support/browser.js';
import { startLoop, type Loop } from '../support/emulator.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { DESCRIBED_CODES, OUTSIDE_THE_INBOX, describeProblem } from '../../web/src/api/problems.js';
import { MESSAGE_LIMIT } from '../../src/emulator/pages.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const document: any;
declare const getComputedStyle: any;

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Where the phone screenshots go, to be looked at (FINCH_SCREENSHOTS_DIR, else a temporary folder). */
const SHOTS = process.env.FINCH_SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'finch-hardening-screenshots');
const PHONE = { width: 390, height: 844 };

describe.each(sqlBackends())('the inbox when things go wrong (%s)', (backend) => {
  let browser: Browser;
  let loop: Loop;
  const pages: WatchedPage[] = [];
  const open = async (viewport?: { width: number; height: number }) => {
    const watched = await openPage(browser, viewport ? { viewport } : {});
    pages.push(watched);
    return watched;
  };
  const shot = async (page: Page, name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${backend}-${name}.png`) });
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    loop = await startLoop(backend, 'rest', { retryIntervalMs: 300 });
    await makeAgent(loop.finch, 'Ivan', 'agent');
  });
  afterAll(async () => {
    await browser?.close();
    await loop?.close();
  });
  afterEach(async () => {
    for (const watched of pages.splice(0)) {
      expect(watched.errors).toEqual([]);
      await watched.context.close();
    }
  });

  const conversationUrl = (id: string) => `${loop.finch.baseUrl}/c/${id}`;

  /** Hana signs in, opens a new conversation titled `title` and takes it over. */
  const hanaTakesOver = async (title: string) => {
    const conversation = await finConversation(loop.finch, title);
    const watched = await open();
    await signIn(watched.page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await watched.page.goto(conversationUrl(conversation.id));
    await watched.page.getByRole('button', { name: 'Take over' }).click();
    await watched.page.getByText('Assignee: Hana').waitFor();
    return { conversation, ...watched };
  };

  /** Another tab of the same browser signs out, then (with `email`) signs in again as that agent. */
  const otherTabSignsOut = async (context: WatchedPage['context'], email?: string) => {
    const other = await context.newPage();
    await other.goto(loop.finch.baseUrl);
    await other.getByRole('button', { name: 'Sign out' }).click();
    if (email) await signIn(other, loop.finch.baseUrl, email, PASSWORD);
    else await other.getByRole('heading', { name: 'Sign in to Finch' }).waitFor();
    await other.close();
  };

  it('goes back to sign-in when the session ends in another tab, keeps the draft, and returns to it', async () => {
    const { conversation, page, context } = await hanaTakesOver('Session ends elsewhere');
    await page.getByLabel('Reply to the end-user').fill('A careful answer that must not be lost');

    await otherTabSignsOut(context);

    // Send: Finch answers 401; the inbox says so in words and shows the sign-in page.
    await page
      .getByRole('button', { name: 'Send reply' })
      .click({ timeout: 3000 })
      .catch(() => undefined); // the live stream may have noticed first
    await page.getByRole('heading', { name: 'Sign in to Finch' }).waitFor();
    const notice = await page.getByRole('status').innerText();
    expect(notice).toMatch(/signed out/i);
    expect(notice).toMatch(/draft/i);
    const shown = await page.locator('body').innerText();
    expect(shown).not.toMatch(/\/api\/|POST|personal API token/);
    await shot(page, 'signed-out');

    // Signing in again (the email is filled in) lands on the same conversation with the draft in the composer.
    expect(await page.getByLabel('Email').inputValue()).toBe('hana@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('A careful answer that must not be lost');
    expect(page.url()).toBe(conversationUrl(conversation.id));
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.agent', { hasText: 'A careful answer that must not be lost' }).waitFor();
  });

  it('sends with the fresh session when the agent signed out and in again in another tab', async () => {
    const { page, context } = await hanaTakesOver('Session renewed elsewhere');
    await otherTabSignsOut(context, 'hana@example.com');

    // The first tab still holds the old session's CSRF token: the inbox fetches the new one and retries.
    await page.getByLabel('Reply to the end-user').fill('Sent after a renewal');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.agent', { hasText: 'Sent after a renewal' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('never acts under another agent who signed in in another tab: back to sign-in, draft kept', async () => {
    const { conversation, page, context } = await hanaTakesOver('Another agent signs in');
    await otherTabSignsOut(context, 'ivan@example.com');

    await page.getByLabel('Reply to the end-user').fill('Written by Hana');
    await page
      .getByRole('button', { name: 'Send reply' })
      .click({ timeout: 3000 })
      .catch(() => undefined);
    await page.getByRole('heading', { name: 'Sign in to Finch' }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(/Someone else signed in/);
    const messages = (await loop.agent.get(`/conversations/${conversation.id}`)).body.messages as { body: string | null }[];
    expect(messages.some((message) => message.body?.includes('Written by Hana'))).toBe(false);

    expect(await page.getByLabel('Email').inputValue()).toBe('hana@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('Written by Hana');
  });

  it('searches as the agent types, and says when nothing matches', async () => {
    await finConversation(loop.finch, 'Zephyrine blender refund');
    await finConversation(loop.finch, 'Ordinary shipping question');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('link', { name: /Ordinary shipping question/ }).waitFor();

    // No Enter: the list follows the typing once the agent pauses.
    await page.getByLabel('Search').pressSequentially('zephyr', { delay: 30 });
    await page.getByRole('link', { name: /Zephyrine blender refund/ }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /Ordinary shipping question/ }).count()).toBe(0);
    expect(await page.locator('.list-caption').innerText()).toContain('matching “zephyr”');

    await page.getByLabel('Search').fill('qqxxnothingmatches');
    await page.getByText('No results for “qqxxnothingmatches”').waitFor();
    expect(await page.locator('.list .row').count()).toBe(0);

    await page.getByLabel('Search').fill('');
    await page.getByRole('link', { name: /Ordinary shipping question/ }).waitFor();
  });

  it('filters by tag as the agent types', async () => {
    const tagged = await finConversation(loop.finch, 'Tagged for the filter');
    await finConversation(loop.finch, 'Not tagged at all');
    expect((await loop.agent.patch(`/conversations/${tagged.id}`, { tags: ['vip-lane'] })).status).toBe(200);
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('link', { name: /Not tagged at all/ }).waitFor();

    await page.getByLabel('Tag').pressSequentially('vip-lane', { delay: 30 });
    await page.getByRole('link', { name: /Tagged for the filter/ }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /Not tagged at all/ }).count()).toBe(0);
    await page.getByLabel('Tag').fill('no-such-tag');
    await page.getByText('No results for the tag “no-such-tag”').waitFor();
  });

  it('says what the queue counts count: open conversations, while the list shows every status', async () => {
    const resolved = await finConversation(loop.finch, 'Already resolved one');
    expect((await loop.agent.patch(`/conversations/${resolved.id}`, { status: 'resolved' })).status).toBe(200);
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('link', { name: /Already resolved one/ }).waitFor();

    const counts = (await loop.agent.get('/conversations/counts')).body as Record<string, number>;
    const all = page.getByRole('button', { name: /^All/ }).locator('.count');
    await expect.poll(() => all.innerText()).toBe(`${counts.all} open`);
    expect(await all.getAttribute('title')).toBe(`${counts.all} open ${counts.all === 1 ? 'conversation' : 'conversations'} in this queue`);
    expect(await page.locator('.list-caption').innerText()).toBe('All: every status');
    await shot(page, 'desktop-counts');

    // Filtered to open, the list and the count agree.
    await page.getByLabel('Status').selectOption('open');
    await expect.poll(() => page.locator('.list-caption').innerText()).toBe('All: open only');
    await expect.poll(() => page.getByRole('link', { name: /Already resolved one/ }).count()).toBe(0);
    await page.getByRole('button', { name: /^Waiting for a human/ }).click();
    await expect.poll(() => page.locator('.list-caption').innerText()).toBe('Waiting for a human: open only');
    // An empty queue says what it is empty of; narrowed by a filter, it says which.
    await page.getByRole('button', { name: /^Assigned to others/ }).click();
    await page.getByText('No results for status open in this queue.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByText('No conversation is assigned to another agent.').waitFor();
  });

  it('renders only absolute links and images in a body stored before the sanitizer refused relative ones', async () => {
    const conversation = await finConversation(loop.finch, 'Old body');
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
    await loop.finch.database!.db.updateTable('messages').set({ body: `<p>${stale}</p>` }).where('conversation_id', '=', conversation.id).execute();
    const { page } = await open();
    const asked: string[] = [];
    // The inbox itself asks for its session; an image asking for it would be the stale body's.
    page.on('request', (request) => {
      if (request.resourceType() === 'image') asked.push(new URL(request.url()).pathname);
    });
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(conversationUrl(conversation.id));
    const thread = page.locator('.message', { hasText: 'kept' });
    await thread.waitFor();
    expect(await thread.locator('img[src]').count()).toBe(0);
    expect(await thread.locator('a[href]').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(['https://example.com/ok', 'mailto:help@example.com']);
    expect(asked.filter((pathname) => pathname.includes('/api/'))).toEqual([]);
  });

  it('keeps a draft per conversation across a reload, and forgets it once sent', async () => {
    const first = await finConversation(loop.finch, 'Draft one');
    const second = await finConversation(loop.finch, 'Draft two');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(conversationUrl(first.id));
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('Assignee: Hana').waitFor();
    await page.getByRole('radio', { name: 'Private note' }).check();
    await page.getByLabel('Private note for agents').fill('Check the refund first');

    await page.goto(conversationUrl(second.id));
    await page.getByLabel('Reply to the end-user').fill('Half an answer');
    await page.reload();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('Half an answer');

    await page.goto(conversationUrl(first.id));
    await expect.poll(() => page.getByLabel('Private note for agents').inputValue()).toBe('Check the refund first');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.message.note', { hasText: 'Check the refund first' }).waitFor();
    await page.reload();
    await page.locator('.message.note', { hasText: 'Check the refund first' }).waitFor();
    expect(await page.getByLabel('Reply to the end-user').inputValue()).toBe('');
  });

  it('shows no error for a delivered notification, and what Fin answered for a failed one', async () => {
    const conversation = await finConversation(loop.finch, 'Delivery log rows');
    expect((await loop.agent.post(`/conversations/${conversation.id}/messages`, { body: '<p>On its way</p>', visibility: 'public' })).status).toBe(201);
    let delivered: { id: string; event_id: string; response_excerpt: string | null } | undefined;
    await expect
      .poll(
        async () => {
          const page = (await loop.agent.get(`/deliveries?conversation_id=${conversation.id}`)).body as { deliveries: { id: string; event_id: string; outcome: string; response_excerpt: string | null }[] };
          delivered = page.deliveries.find((row) => row.outcome === 'delivered');
          return delivered !== undefined;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    // Rows logged before Finch stopped keeping the answer to a success hold it: it is no error.
    await loop.finch.database!.db.updateTable('webhook_deliveries').set({ response_excerpt: '{"status":"accepted"}' }).where('id', '=', delivered!.id).execute();
    // An earlier failed attempt of the same event, as the dispatcher records one.
    await loop.finch
      .database!.db.insertInto('webhook_deliveries')
      .values({
        id: `dlv_failed_${backend}`,
        event_id: delivered!.event_id,
        conversation_id: conversation.id,
        kind: 'sync',
        attempt: 1,
        url: 'http://127.0.0.1:9/hooks',
        status_code: 503,
        latency_ms: 12,
        response_excerpt: '{"error":"overloaded"}',
        error: null,
        outcome: 'retry',
        next_attempt_at: new Date().toISOString(),
        created_at: new Date(Date.now() - 60_000).toISOString(),
      })
      .execute();

    for (const viewport of [undefined, PHONE]) {
      const { page } = await open(viewport);
      await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
      await page.goto(`${loop.finch.baseUrl}/admin/deliveries`);
      const table = page.locator('table.deliveries');
      const deliveredRow = table.locator('tr', { has: page.locator('td', { hasText: /^delivered$/ }) }).filter({ hasText: conversation.id }).first();
      await deliveredRow.waitFor();
      expect(await deliveredRow.locator('td.text').innerText()).toBe('');
      expect(await table.innerText()).not.toContain('{"status":"accepted"}');
      const failedRow = table.locator('tr', { hasText: 'overloaded' });
      expect(await failedRow.locator('td.text').innerText()).toBe('Fin answered: {"error":"overloaded"}');
      if (viewport) {
        // On a phone the table scrolls sideways; no cell is squeezed into a letter-per-line column.
        const squeezed = await table.evaluate((element: any) =>
          [...element.querySelectorAll('td, th')]
            .filter((cell: any) => cell.textContent.trim().length > 0)
            .filter((cell: any) => {
              const longest = Math.max(...cell.textContent.split(/\s+/).map((word: string) => word.length));
              const perLine = cell.clientWidth / (parseFloat(getComputedStyle(cell).fontSize) * 0.62);
              return perLine < Math.min(longest, 12);
            })
            .map((cell: any) => cell.textContent),
        );
        expect(squeezed).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        await shot(page, 'phone-delivery-log');
        await page.locator('.table-scroll').evaluate((element: any) => element.scrollTo(element.scrollWidth, 0));
        await shot(page, 'phone-delivery-log-scrolled');
      }
    }
  });

  it('reaches the filters and the conversation details on a phone', async () => {
    const conversation = await finConversation(loop.finch, 'Phone details');
    expect((await loop.agent.patch(`/conversations/${conversation.id}`, { tags: ['phone-tag'] })).status).toBe(200);
    const { page } = await open(PHONE);
    await signIn(page, loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await shot(page, 'phone-list');

    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Status').waitFor({ state: 'visible' });
    await page.getByLabel('Tag').pressSequentially('phone-tag', { delay: 20 });
    const row = page.getByRole('link', { name: /Phone details/ });
    await row.waitFor();
    await expect.poll(() => page.locator('.list .row').count()).toBe(1);
    await shot(page, 'phone-filters');

    await row.click();
    await page.getByRole('button', { name: 'Details' }).click();
    const user = page.getByRole('form', { name: 'End-user' });
    await user.getByLabel('Name', { exact: true }).fill('Eve Phone');
    await user.getByRole('button', { name: 'Save end-user' }).click();
    await expect.poll(async () => (await loop.agent.get(`/conversations/${conversation.id}`)).body.user.name).toBe('Eve Phone');
    await page.getByRole('form', { name: 'Conversation details' }).getByLabel('Title').waitFor({ state: 'visible' });
    await shot(page, 'phone-details');
    await page.getByRole('button', { name: 'Close details' }).click();
    await page.getByLabel('Reply to the end-user').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

    // The account menu is reachable too.
    await page.getByRole('button', { name: /^Your account/ }).click();
    await page.getByRole('dialog', { name: 'Your account' }).waitFor();
    await shot(page, 'phone-account');
  });

  it('changes the password, and says why when the current one is wrong or the new one is weak', async () => {
    const pat = await makeAgent(loop.finch, `Pat ${backend}`, 'agent');
    const { page } = await open();
    await signIn(page, loop.finch.baseUrl, pat.email, PASSWORD);
    await page.getByRole('button', { name: /^Your account/ }).click();
    const form = page.getByRole('form', { name: 'Change your password' });
    const attempt = async (current: string, next: string) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password', { exact: true }).fill(next);
      await form.getByLabel('Confirm new password').fill(next);
      await form.getByRole('button', { name: 'Change password' }).click();
    };

    await attempt('not my password at all', 'velvet arcade pinecone 93');
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toBe('Your current password is not right.');

    // Weak: the server's reason, word for word.
    const weak = 'password1234';
    const direct = await AgentClient.signIn(loop.finch.baseUrl, pat.email, PASSWORD);
    const refused = await direct.post('/me/password', { current_password: PASSWORD, new_password: weak });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('weak_password');
    await attempt(PASSWORD, weak);
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toBe(refused.body.detail);

    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('velvet arcade pinecone 93');
    await form.getByLabel('Confirm new password').fill('velvet arcade pinecone 94');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => form.getByRole('alert').innerText(), { timeout: 10_000 }).toMatch(/differ/);

    await attempt(PASSWORD, 'velvet arcade pinecone 93');
    await form.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();
    expect((await loop.agent.request('POST', '/session', { email: pat.email, password: 'velvet arcade pinecone 93' })).status).toBe(200);
  });

  it("says in the messenger that a message is over the limit, and keeps the person's text", async () => {
    const { page: messenger } = await open();
    await messenger.goto(loop.emulator.url);
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
    await expect.poll(() => alert.innerText()).toBe(`Your message is ${(MESSAGE_LIMIT + 1).toLocaleString('en')} characters long; the limit is ${MESSAGE_LIMIT.toLocaleString('en')}. Shorten it or send it in parts.`);
    expect(await messenger.getByLabel('Your message').inputValue()).toBe(tooLong);
    expect(await messenger.locator('#thread .message').count()).toBe(before);
    await shot(messenger, 'messenger-over-limit');

    // The chat API refuses the same message: the page says so before sending, not after.
    const chatId = (await messenger.evaluate(() => (globalThis as any).localStorage.getItem('finch-chat'))) as string;
    const refused = await fetch(`${loop.emulator.url}/api/chats/${chatId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: tooLong }) });
    expect(refused.status).toBe(400);

    // At the limit it goes through: the page and the chat API agree on where the limit is.
    await messenger.getByLabel('Your message').fill('b'.repeat(MESSAGE_LIMIT));
    await messenger.getByLabel('Your message').press('Enter');
    await expect.poll(() => messenger.locator('#thread .message.user').count()).toBe(2);
    expect(await messenger.getByRole('alert').isVisible()).toBe(false);
    expect(await messenger.getByLabel('Your message').inputValue()).toBe('');
  });
});

describe('what an agent reads when Finch refuses something', () => {
  /** Every problem code Finch's agent API can answer, from the source (the Fin API's own edge aside). */
  function codesInSource(): Set<string> {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith('.ts') && !full.endsWith('.test.ts')) files.push(full);
      }
    };
    for (const dir of ['src/http', 'src/domain', 'src/store']) walk(path.join(ROOT, dir));
    const codes = new Set<string>();
    const patterns = [
      /HttpProblem\(\s*\d+,\s*'([a-z_]+)'/g,
      /\bproblem\(\s*\d+,\s*'([a-z_]+)'/g,
      /(?:unprocessable|conflict)\(\s*'([a-z_]+)'/g,
      /new FinError\(\s*'[a-z_]+',\s*'([a-z_]+)'/g,
      /code: '([a-z_]+)'/g,
      /refuseWhenHashingBusy\(\s*'([a-z_]+)'/g,
    ];
    for (const file of files.filter((name) => !/src\/http\/(fin|oauth)\//.test(name))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]!);
      for (const match of text.matchAll(/notFound\(\s*'([a-z_]+)'/g)) codes.add(`${match[1]}_not_found`);
    }
    return codes;
  }

  it('has a sentence for every code an agent can meet', () => {
    const codes = codesInSource();
    expect(codes.size).toBeGreaterThan(30);
    const undescribed = [...codes].filter((code) => !DESCRIBED_CODES.includes(code) && !OUTSIDE_THE_INBOX.includes(code));
    expect(undescribed).toEqual([]);
  });

  it('never shows an agent an endpoint, a method or a header', () => {
    const developerDetail = 'Sign in (POST /api/v1/session) or send a personal API token in X-CSRF-Token.';
    for (const code of [...DESCRIBED_CODES, 'some_future_code']) {
      for (const status of [400, 401, 403, 404, 409, 413, 422, 429, 500, 503]) {
        const text = describeProblem(status, { code, detail: code === 'weak_password' ? 'Use at least 12 characters.' : developerDetail, errors: [{ pointer: '/title', detail: 'title must NOT have more than 2048 characters' }] }, '30');
        expect(text, `${code} ${status}`).not.toMatch(/\/api\/|\bPOST\b|X-CSRF|personal API token|undefined/);
        expect(text, `${code} ${status}`).not.toMatch(/\b(GET|PUT|PATCH|DELETE)\b|Authorization|Bearer|FINCH_|[{}<>`]|\b[a-z]+_[a-z_]+\b/);
        expect(text).toMatch(/[.!]$/);
      }
    }
  });

  it('spells out validation failures field by field, and keeps a plain detail of an unknown code', () => {
    expect(describeProblem(400, { code: 'validation_failed', errors: [{ pointer: '/title', detail: 'title must NOT have more than 2048 characters' }] }, null)).toBe(
      'The title is too long (at most 2,048 characters).',
    );
    expect(describeProblem(409, { code: 'brand_new_rule', detail: 'Someone else edited this reply.' }, null)).toBe(
      'This clashes with a change someone else made. Reload and try again. Details: Someone else edited this reply.',
    );
    expect(describeProblem(503, { code: 'database_unavailable', detail: 'The database is unavailable right now; try again in 2 s.' }, '2')).toBe(
      'Finch is busy or briefly unavailable. Try again in 2 seconds; nothing was lost.',
    );
  });
});
