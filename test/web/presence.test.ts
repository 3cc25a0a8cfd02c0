/**
 * Presence in Chromium against a real Finch (issue 12, item 1): the top bar's toggle sets the agent
 * away and online; another agent's inbox opening and closing shows live in the team list; an inbox
 * left idle sets its agent away by itself and brings them back at the next input.
 */
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { signIn } from '../support/browser.js';
import { PASSWORD } from '../support/helpdesk.js';
import { inboxOn } from './support.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const localStorage: any;

describe('presence (Chromium)', () => {
  const harness = inboxOn('sqlite');
  const presenceOf = async (email: string) => {
    const as = await AgentClient.signIn(harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    return (await as.get<{ email: string; presence?: string }[]>('/agents')).body.find((agent) => agent.email === email)?.presence;
  };

  it('sets the agent away and online again with the top bar’s toggle', async () => {
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    const toggle = page.getByRole('button', { name: 'Online' });
    await toggle.waitFor();
    await expect.poll(() => presenceOf('hana@example.com')).toBe('online');
    await toggle.click();
    await page.getByRole('button', { name: 'Away' }).waitFor();
    await expect.poll(() => presenceOf('hana@example.com')).toBe('away');
    await page.getByRole('button', { name: 'Away' }).click();
    await page.getByRole('button', { name: 'Online' }).waitFor();
    expect(await presenceOf('hana@example.com')).toBe('online');
  });

  it('shows another agent coming online and going offline, live', async () => {
    const { page: hana } = await harness.open();
    await signIn(hana, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    const ivan = hana.getByRole('list', { name: 'Team' }).getByRole('listitem').filter({ hasText: 'Ivan' });
    await expect.poll(() => ivan.getAttribute('data-presence')).toBe('offline');
    const other = await harness.open();
    await signIn(other.page, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await expect.poll(() => ivan.getAttribute('data-presence'), { timeout: 5000 }).toBe('online');
    await other.page.getByRole('button', { name: 'Online' }).click();
    await expect.poll(() => ivan.getAttribute('data-presence'), { timeout: 5000 }).toBe('away');
    await other.page.getByRole('button', { name: 'Away' }).click();
    await other.page.close();
    await expect.poll(() => ivan.getAttribute('data-presence'), { timeout: 5000 }).toBe('offline');
  });

  it('goes away by itself after the idle time, and comes back at the next input', async () => {
    const admin = await AgentClient.signIn(harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    expect((await admin.put('/settings/presence', { away_after_minutes: 1 })).status).toBe(200);
    try {
      const { page } = await harness.open();
      await signIn(page, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
      await page.getByRole('button', { name: 'Online' }).waitFor();
      // The last input (shared by the agent's tabs) was two minutes ago.
      await page.evaluate(() => localStorage.setItem('finch.lastInput', String(Date.now() - 120_000)));
      await page.getByRole('button', { name: 'Away (idle)' }).waitFor({ timeout: 5000 });
      await expect.poll(() => presenceOf('ivan@example.com')).toBe('away');
      await page.mouse.move(200, 200);
      await page.mouse.move(220, 230);
      await page.getByRole('button', { name: 'Online' }).waitFor({ timeout: 5000 });
      expect(await presenceOf('ivan@example.com')).toBe('online');
      // An away the agent chose stays, however active they are.
      await page.getByRole('button', { name: 'Online' }).click();
      await page.getByRole('button', { name: 'Away', exact: true }).waitFor();
      await page.mouse.move(10, 10);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await presenceOf('ivan@example.com')).toBe('away');
      await page.getByRole('button', { name: 'Away', exact: true }).click();
    } finally {
      await admin.put('/settings/presence', { away_after_minutes: 10 });
    }
  });
});
