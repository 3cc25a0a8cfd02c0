/**
 * The inbox on a phone-sized screen in Chromium: no sideways scrolling, a name on every control,
 * the filters and the conversation details behind their buttons, and the account within reach.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { PHONE, inboxOn, say, startChat, unnamedControls } from './support.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const document: any;

describe('on a phone (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('works on a phone-sized screen, with a name on every control', async () => {
    const messenger = await startChat(harness, 'Do you ship to Norway?');
    await say(messenger, 'I want a human');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const { page } = await harness.open({ width: 390, height: 844 });
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).click();
    await page.getByRole('button', { name: 'Back to the list' }).waitFor();
    await page.getByLabel('Reply to the end-user').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).waitFor();

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${harness.loop.finch.baseUrl}/`);
    await page.getByRole('link', { name: /Do you ship to Norway\?/ }).click();
    await page.getByLabel('Reply to the end-user').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
  });
});

describe.each(sqlBackends())('on a phone (%s)', (backend) => {
  const harness = inboxOn(backend);

  it('reaches the filters and the conversation details on a phone', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Phone details');
    expect((await harness.loop.agent.patch(`/conversations/${conversation.id}`, { tags: ['phone-tag'] })).status).toBe(200);
    const { page } = await harness.open(PHONE);
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /^All/ }).click();
    await harness.shot(page, 'phone-list');

    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Status').waitFor({ state: 'visible' });
    await page.getByLabel('Tag').pressSequentially('phone-tag', { delay: 20 });
    const row = page.getByRole('link', { name: /Phone details/ });
    await row.waitFor();
    await expect.poll(() => page.locator('.list .row').count()).toBe(1);
    await harness.shot(page, 'phone-filters');

    await row.click();
    await page.getByRole('button', { name: 'Details' }).click();
    const user = page.getByRole('form', { name: 'End-user' });
    await user.getByLabel('Name', { exact: true }).fill('Eve Phone');
    await user.getByRole('button', { name: 'Save end-user' }).click();
    await expect.poll(async () => (await harness.loop.agent.get(`/conversations/${conversation.id}`)).body.user.name).toBe('Eve Phone');
    await page.getByRole('form', { name: 'Conversation details' }).getByLabel('Title').waitFor({ state: 'visible' });
    await harness.shot(page, 'phone-details');
    await page.getByRole('button', { name: 'Close details' }).click();
    await page.getByLabel('Reply to the end-user').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

    // The account menu is reachable too.
    await page.getByRole('button', { name: /^Your account/ }).click();
    await page.getByRole('dialog', { name: 'Your account' }).waitFor();
    await harness.shot(page, 'phone-account');
  });
});
