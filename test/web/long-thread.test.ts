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

describe('a long thread (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('opens on the newest messages, keeps the page light, and loads older ones as the agent scrolls up', async () => {
    const { finch } = harness.loop;
    const conversation = await finConversation(finch, 'A long story', 'the very first message');
    const hana = (await (await AgentClient.signIn(finch.baseUrl, 'hana@example.com', PASSWORD)).get('/session')).body.agent as { id: string };
    await finch.store.transaction(async (tx) => {
      for (let index = 0; index < NOTES; index++) {
        // Bodies of different lengths, so rows differ in height.
        const body = `<p>note ${index}</p>${'<p>more of it</p>'.repeat(index % 4)}`;
        finch.clock.advance(1000);
        await tx.insertMessage({
          objectId: null,
          conversationId: conversation.id,
          body,
          author: { type: 'agent', id: hana.id },
          visibility: 'private',
          attachments: [],
          createdAt: finch.clock.now().toISOString(),
        });
      }
    });

    const { page } = await harness.open();
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    const opened = page.waitForResponse((response) => response.url().endsWith(`/api/v1/conversations/${conversation.id}`));
    await page.goto(harness.conversationUrl(conversation.id));
    const first = await opened;
    expect((await first.body()).length).toBeLessThan(100_000);
    const thread = page.locator('.thread');
    // The newest message is in view, and only rows near it are in the page.
    await page.locator('.message', { hasText: `note ${NOTES - 1}` }).waitFor();
    await expect.poll(async () => (await page.locator('.message', { hasText: `note ${NOTES - 1}` }).boundingBox())?.y ?? -1).toBeGreaterThan(0);
    expect(await rows(page)).toBeLessThan(40);
    expect(await thread.getByText('Start of the conversation').count()).toBe(0);

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
    await expect.poll(() => thread.getByText('Loading earlier messages…').count()).toBe(0);
    await expect.poll(() => page.locator('.message', { hasText: 'note 349' }).count()).toBe(1);
    const top = await rowTop(thread, `note ${NOTES - 50}`);
    expect(top).not.toBeNull();
    expect(top!).toBeGreaterThanOrEqual(0);
    expect(top!).toBeLessThan(80);
    expect(await rows(page)).toBeLessThan(40);

    // On up to the first message.
    for (let page_ = 0; page_ < NOTES / 50 + 2 && (await thread.getByText('Start of the conversation').count()) === 0; page_++) {
      await scrollToTop(thread);
      await page.waitForTimeout(150);
    }
    await thread.getByText('Start of the conversation').waitFor({ timeout: 10_000 });
    await scrollToTop(thread);
    await page.locator('.message', { hasText: 'the very first message' }).waitFor();
    expect(await rows(page)).toBeLessThan(40);

    // A new message still shows at the end, the older pages kept.
    const asIvan = await AgentClient.signIn(finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect((await asIvan.post(`/conversations/${conversation.id}/messages`, { body: 'a newer note', visibility: 'private' })).status).toBe(201);
    await page.locator('.message', { hasText: 'a newer note' }).waitFor({ timeout: 5000 });
    await harness.shot(page, 'long-thread');
  });
});
