/**
 * Live changes in Chromium against a real Finch and the Fin emulator: another agent's take-over
 * reaches an open conversation and the queue without a reload, and a new hand-over notifies an
 * agent who allowed it; and what a change the stream names makes stale in the inbox's cache.
 */
import { QueryClient } from '@tanstack/query-core';
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { PASSWORD } from '../support/helpdesk.js';
import { keys } from '../../web/src/resources/keys.js';
import { invalidateNamed } from '../../web/src/resources/invalidation.js';
import { chatIdOf, inboxOn, say, startChat } from './support.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const window: any;

describe('live changes (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it("shows a second agent another agent's takeover live", async () => {
    const messenger = await startChat(harness, 'Can I change my address?');
    await say(messenger, 'I want a human');
    const conversationId = (await harness.loop.messenger.until(await chatIdOf(messenger), (view) => view.chat.mode === 'waiting')).chat.conversation_id!;
    const { page: ivan } = await harness.open();
    await signIn(ivan, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    await ivan.getByRole('link', { name: /Can I change my address\?/ }).click();
    await ivan.getByText('Assignee: nobody').waitFor();

    const { page: hana } = await harness.open();
    await signIn(hana, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.goto(`${hana.url().replace(/\/$/, '')}/c/${conversationId}`);
    await hana.getByRole('button', { name: 'Take over' }).click();

    // Ivan's open conversation and his waiting queue follow without a reload.
    await ivan.getByText('Assignee: Hana').waitFor({ timeout: 3000 });
    await expect.poll(() => ivan.getByRole('link', { name: /Can I change my address\?/ }).count(), { timeout: 3000 }).toBe(0);
  });

  it('notifies an agent who allowed it of a new hand-over, with a chime', async () => {
    const { page, context } = await harness.open();
    await context.grantPermissions(['notifications'], { origin: harness.loop.finch.baseUrl });
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
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('button', { name: /Waiting for a human/ }).waitFor();
    await expect.poll(() => page.locator('.count').first().innerText()).not.toBe('–');

    const messenger = await startChat(harness, 'Is there a discount for students?');
    await say(messenger, 'I want a human');
    await expect.poll(() => page.evaluate(() => window.__notifications), { timeout: 5000 }).toEqual(['A conversation is waiting for a human']);
    expect(await page.evaluate(() => window.__tones)).toBeGreaterThan(0);
  });
});

describe('what a live change invalidates', () => {
  /** One of everything the inbox loads. */
  const everything = [
    keys.counts,
    keys.conversationList({ queue: 'all' }),
    keys.conversationList({ queue: 'mine', tag: 'vip' }),
    keys.conversation('conv_a'),
    keys.conversation('conv_b'),
    keys.agents,
    keys.cannedReplies,
    keys.tokens,
    keys.clients,
    keys.finSettings,
    keys.deliveryLog(''),
  ];
  const named = (list: readonly (readonly unknown[])[]) => list.map((key) => JSON.stringify(key)).sort();

  /** The inbox's own cache class (@tanstack/react-query re-exports it, without React here), every entry fresh. */
  function filledCache(): QueryClient {
    const client = new QueryClient();
    for (const key of everything) client.setQueryData(key, { filled: true });
    return client;
  }
  const stale = (client: QueryClient) =>
    named(
      client
        .getQueryCache()
        .getAll()
        .filter((query) => query.state.isInvalidated)
        .map((query) => query.queryKey),
    );

  it('makes stale the conversations a change names, and every list and count, nothing else', async () => {
    const client = filledCache();
    await invalidateNamed(client, ['conv_a']);
    expect(stale(client)).toEqual(
      named([keys.counts, keys.conversationList({ queue: 'all' }), keys.conversationList({ queue: 'mine', tag: 'vip' }), keys.conversation('conv_a')]),
    );
  });

  it('makes everything stale when changes may have been missed (a reconnect)', async () => {
    const client = filledCache();
    await invalidateNamed(client, 'all');
    expect(stale(client)).toEqual(named(everything));
  });
});
