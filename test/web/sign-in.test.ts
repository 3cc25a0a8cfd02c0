/**
 * Signing in and what happens when the session ends under the agent's feet, in Chromium against a
 * real Finch: a wrong password refused; a session ended in another tab (back to sign-in, draft
 * kept), renewed in another tab (the change goes through), or taken by another agent (never acted
 * under their name).
 */
import { describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD } from '../support/helpdesk.js';
import { hanaTakesOver, inboxOn, otherTabSignsOut } from './support.js';

describe('signing in (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('refuses a wrong password', async () => {
    const { page } = await harness.open();
    await page.goto(harness.loop.finch.baseUrl);
    await page.getByLabel('Email').fill('hana@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/password/i);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });
});

describe.each(sqlBackends())('the session ending elsewhere (%s)', (backend) => {
  const harness = inboxOn(backend);

  it('goes back to sign-in when the session ends in another tab, keeps the draft, and returns to it', async () => {
    const { conversation, page, context } = await hanaTakesOver(harness, 'Session ends elsewhere');
    await page.getByLabel('Reply to the end-user').fill('A careful answer that must not be lost');

    await otherTabSignsOut(harness, context);

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
    await harness.shot(page, 'signed-out');

    // Signing in again (the email is filled in) lands on the same conversation with the draft in the composer.
    expect(await page.getByLabel('Email').inputValue()).toBe('hana@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('A careful answer that must not be lost');
    expect(page.url()).toBe(harness.conversationUrl(conversation.id));
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.agent', { hasText: 'A careful answer that must not be lost' }).waitFor();
  });

  it('sends with the fresh session when the agent signed out and in again in another tab', async () => {
    const { page, context } = await hanaTakesOver(harness, 'Session renewed elsewhere');
    await otherTabSignsOut(harness, context, 'hana@example.com');

    // The first tab still holds the old session's CSRF token: the inbox fetches the new one and retries.
    await page.getByLabel('Reply to the end-user').fill('Sent after a renewal');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message.agent', { hasText: 'Sent after a renewal' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('never acts under another agent who signed in in another tab: back to sign-in, draft kept', async () => {
    const { conversation, page, context } = await hanaTakesOver(harness, 'Another agent signs in');
    await otherTabSignsOut(harness, context, 'ivan@example.com');

    await page.getByLabel('Reply to the end-user').fill('Written by Hana');
    await page
      .getByRole('button', { name: 'Send reply' })
      .click({ timeout: 3000 })
      .catch(() => undefined);
    await page.getByRole('heading', { name: 'Sign in to Finch' }).waitFor();
    expect(await page.getByRole('status').innerText()).toMatch(/Someone else signed in/);
    const messages = (await harness.loop.agent.get(`/conversations/${conversation.id}`)).body.messages as { body: string | null }[];
    expect(messages.some((message) => message.body?.includes('Written by Hana'))).toBe(false);

    expect(await page.getByLabel('Email').inputValue()).toBe('hana@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Reply to the end-user').inputValue()).toBe('Written by Hana');
  });
});
