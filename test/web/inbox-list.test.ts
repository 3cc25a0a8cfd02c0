/**
 * The inbox's queues and list, in Chromium against a real Finch: a long queue stays light and loads
 * on scroll, keyboard shortcuts, search and the tag filter as the agent types, empty lists that say
 * why, and queue counts that say what they count.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { inboxOn } from './support.js';

describe('the queues and the list (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('keeps a long queue light: only the rows on screen are in the page, and more load on scroll', async () => {
    for (let i = 0; i < 120; i++) await finConversation(harness.loop.finch, `Bulk conversation ${i}`);
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
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

  it('opens the shortcut help with ? and moves through conversations with j and k', async () => {
    await finConversation(harness.loop.finch, 'Shortcut one');
    await finConversation(harness.loop.finch, 'Shortcut two');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
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

describe.each(sqlBackends())('the list as the agent narrows it (%s)', (backend) => {
  const harness = inboxOn(backend);

  it('searches as the agent types, and says when nothing matches', async () => {
    await finConversation(harness.loop.finch, 'Zephyrine blender refund');
    await finConversation(harness.loop.finch, 'Ordinary shipping question');
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
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
    const tagged = await finConversation(harness.loop.finch, 'Tagged for the filter');
    await finConversation(harness.loop.finch, 'Not tagged at all');
    expect((await harness.loop.agent.patch(`/conversations/${tagged.id}`, { tags: ['vip-lane'] })).status).toBe(200);
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('link', { name: /Not tagged at all/ }).waitFor();

    await page.getByLabel('Tag').pressSequentially('vip-lane', { delay: 30 });
    await page.getByRole('link', { name: /Tagged for the filter/ }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /Not tagged at all/ }).count()).toBe(0);
    await page.getByLabel('Tag').fill('no-such-tag');
    await page.getByText('No results for the tag “no-such-tag”').waitFor();
  });

  it('says what the queue counts count: open conversations, while the list shows every status', async () => {
    const resolved = await finConversation(harness.loop.finch, 'Already resolved one');
    expect((await harness.loop.agent.patch(`/conversations/${resolved.id}`, { status: 'resolved' })).status).toBe(200);
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByRole('link', { name: /Already resolved one/ }).waitFor();

    const counts = (await harness.loop.agent.get('/conversations/counts')).body as Record<string, number>;
    const all = page.getByRole('button', { name: /^All/ }).locator('.count');
    await expect.poll(() => all.innerText()).toBe(`${counts.all} open`);
    expect(await all.getAttribute('title')).toBe(`${counts.all} open ${counts.all === 1 ? 'conversation' : 'conversations'} in this queue`);
    expect(await page.locator('.list-caption').innerText()).toBe('All: every status');
    await harness.shot(page, 'desktop-counts');

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
});
