/**
 * A long thread in Chromium against a real Finch (issue 14, item 4): the inbox opens a conversation
 * of 400 messages on the newest, with only the messages on screen in the page; scrolling up loads
 * older pages without moving what the agent reads, until the start of the conversation.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { signIn } from '../support/browser.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import type { TestFinch } from '../support/finch.js';
import { inboxOn } from './support.js';

const NOTES = 400;

/** How far below the top of the thread's view the row of the message whose first line is `text` starts (px), or null when it is not in the page. */
const rowTop = (thread: Locator, text: string) =>
  thread.evaluate((element, wanted) => {
    const row = [...element.querySelectorAll('li.thread-row')].find((li) => li.querySelector('.body p')?.textContent === wanted);
    return row ? row.getBoundingClientRect().top - element.getBoundingClientRect().top : null;
  }, text);

const scrollToTop = (thread: Locator) => thread.evaluate((element) => element.scrollTo({ top: 0 }));

const rows = (page: Page) => page.locator('.thread li.thread-row').count();

/** `count` private notes by Hana, "note 0" to "note count-1", a second apart, of different heights. */
async function addNotes(finch: TestFinch, conversationId: string, count: number): Promise<void> {
  const hana = (await (await AgentClient.signIn(finch.baseUrl, 'hana@example.com', PASSWORD)).get('/session')).body.agent as { id: string };
  await finch.store.transaction(async (tx) => {
    for (let index = 0; index < count; index++) {
      finch.clock.advance(1000);
      await tx.insertMessage({
        objectId: null,
        conversationId,
        body: `<p>note ${index}</p>${'<p>more of it</p>'.repeat(index % 4)}`,
        author: { type: 'agent', id: hana.id },
        visibility: 'private',
        attachments: [],
        createdAt: finch.clock.now().toISOString(),
      });
    }
  });
}

/** Whether the message whose first line is `text` is inside the thread's view. */
const inView = (page: Page, text: string) =>
  page.locator('.thread').evaluate((element, wanted) => {
    const view = element.getBoundingClientRect();
    const row = [...element.querySelectorAll('li.thread-row')].find((li) => li.querySelector('.body p')?.textContent === wanted);
    if (!row) return false;
    const rect = row.getBoundingClientRect();
    return rect.top >= view.top - 1 && rect.bottom <= view.bottom + 1;
  }, text);

const olderRequests = (page: Page, conversationId: string) =>
  page.evaluate(
    (id) => performance.getEntriesByType('resource').filter((entry) => entry.name.includes(`/conversations/${id}/messages?before=`)).length,
    conversationId,
  );

describe('a long thread (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('opens on the newest messages, keeps the page light, and loads older ones as the agent scrolls up', async () => {
    const { finch } = harness.loop;
    const conversation = await finConversation(finch, 'A long story', 'the very first message');
    await addNotes(finch, conversation.id, NOTES);

    const { page } = await harness.open();
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    const opened = page.waitForResponse((response) => response.url().endsWith(`/api/v1/conversations/${conversation.id}`));
    await page.goto(harness.conversationUrl(conversation.id));
    const first = await opened;
    expect((await first.body()).length).toBeLessThan(100_000);
    const thread = page.locator('.thread');
    const status = page.locator('.thread-pane > [role=status]');
    // The newest message is in view, and only rows near it are in the page.
    await page.locator('.message', { hasText: `note ${NOTES - 1}` }).waitFor();
    await expect.poll(async () => (await page.locator('.message', { hasText: `note ${NOTES - 1}` }).boundingBox())?.y ?? -1).toBeGreaterThan(0);
    expect(await rows(page)).toBeLessThan(40);
    expect(await status.getByText('Start of the conversation').count()).toBe(0);

    // Scroll to the top: the next page comes in above, and the oldest message loaded (note 350, at
    // the top of the view) stays where it was instead of being pushed down by the 50 rows above it.
    await scrollToTop(thread);
    await expect
      .poll(() =>
        page.evaluate(
          (id) => performance.getEntriesByType('resource').filter((entry) => entry.name.includes(`/conversations/${id}/messages?before=`)).length,
          conversation.id,
        ),
      )
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => status.getByText('Loading earlier messages…').count()).toBe(0);
    await expect.poll(() => page.locator('.message', { hasText: 'note 349' }).count()).toBe(1);
    const top = await rowTop(thread, `note ${NOTES - 50}`);
    expect(top).not.toBeNull();
    expect(top!).toBeGreaterThanOrEqual(0);
    expect(top!).toBeLessThan(80);
    expect(await rows(page)).toBeLessThan(40);

    // On up to the first message.
    for (let page_ = 0; page_ < NOTES / 50 + 2 && (await status.getByText('Start of the conversation').count()) === 0; page_++) {
      await scrollToTop(thread);
      await page.waitForTimeout(150);
    }
    await status.getByText('Start of the conversation').waitFor({ timeout: 10_000 });
    await scrollToTop(thread);
    await page.locator('.message', { hasText: 'the very first message' }).waitFor();
    expect(await rows(page)).toBeLessThan(40);

    // A new message still shows at the end, the older pages kept and not read again: a change
    // costs one read however far back the agent went.
    const olderReads = await olderRequests(page, conversation.id);
    const asIvan = await AgentClient.signIn(finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect((await asIvan.post(`/conversations/${conversation.id}/messages`, { body: 'a newer note', visibility: 'private' })).status).toBe(201);
    await page.locator('.message', { hasText: 'a newer note' }).waitFor({ timeout: 5000 });
    expect(await olderRequests(page, conversation.id)).toBe(olderReads);
    await scrollToTop(thread);
    await page.locator('.message', { hasText: 'the very first message' }).waitFor();
    await harness.shot(page, 'long-thread');
  });

  it('opens on the newest message also when the first page does not fill a tall window', async () => {
    const { finch } = harness.loop;
    const conversation = await finConversation(finch, 'Short lines, tall window', 'the start');
    await addNotes(finch, conversation.id, 300);
    const { page } = await harness.open({ width: 1440, height: 6000 });
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(conversation.id));
    await expect.poll(() => olderRequests(page, conversation.id)).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.locator('.thread').getByText('Loading earlier messages…').count()).toBe(0);
    await expect.poll(() => inView(page, 'note 299')).toBe(true);
  });

  it('asks before loading again after an older page failed, instead of retrying on every render', async () => {
    const { finch } = harness.loop;
    const conversation = await finConversation(finch, 'Older pages fail', 'the start');
    await addNotes(finch, conversation.id, 300);
    const { page, errors } = await harness.open({ width: 1440, height: 6000 });
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    let refused = 0;
    await page.route('**/messages?before=*', (route) => {
      refused++;
      return route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '2' },
        body: '{"status":503,"code":"unavailable","title":"Unavailable"}',
      });
    });
    await page.goto(harness.conversationUrl(conversation.id));
    const status = page.locator('.thread-pane > [role=status]');
    await status.getByText('Earlier messages could not be loaded.').waitFor();
    await page.waitForTimeout(2000);
    expect(refused).toBe(1);
    // The browser logs each refused request; they were expected here.
    errors.splice(0, errors.length, ...errors.filter((error) => !/status of 503/.test(error)));
    await page.unroute('**/messages?before=*');
    await status.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => status.getByText('Earlier messages could not be loaded.').count()).toBe(0);
    await expect.poll(() => page.locator('.message', { hasText: 'note 249' }).count()).toBe(1);
  });

  it('shows every message written since, when more came than one page holds', async () => {
    const { finch } = harness.loop;
    const conversation = await finConversation(finch, 'A crowded reply', 'the start');
    await addNotes(finch, conversation.id, 120);
    const { page } = await harness.open();
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(conversation.id));
    await page.locator('.message', { hasText: 'note 119' }).waitFor();
    await page.getByLabel('Reply to the end-user').fill('My answer.');
    const asIvan = await AgentClient.signIn(finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect((await asIvan.post(`/conversations/${conversation.id}/messages`, { body: 'Ivan answered first.' })).status).toBe(201);
    for (let index = 0; index < 60; index++) {
      expect((await asIvan.post(`/conversations/${conversation.id}/messages`, { body: `ivan note ${index}`, visibility: 'private' })).status).toBe(201);
    }
    await page.getByRole('button', { name: 'Send reply' }).click();
    const prompt = page.getByRole('alertdialog', { name: 'Someone replied since you started writing' });
    await prompt.waitFor({ timeout: 5000 });
    await expect.poll(() => prompt.locator('.message').count()).toBe(61);
    expect(await prompt.innerText()).toContain('Ivan answered first.');
  });
});
