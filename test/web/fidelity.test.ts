/**
 * Fin and people never undo each other, in Chromium against a real Finch and the Fin emulator: an
 * agent saves a title and tags, Finch tells Fin, the emulator pulls and ends its sync with its own
 * Update Conversation (whatever it derives: an emulator that repeats its own title and tags must
 * not undo the agent's), and after a reload the agent's title and tags are still there.
 */
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD } from '../support/helpdesk.js';
import { inboxOn, say, startChat } from './support.js';

describe.each(sqlBackends())('an agent’s edit survives Fin’s sync on %s (Chromium)', (backend) => {
  const harness = inboxOn(backend);

  it('keeps the title and tags an agent saved after the emulator’s end-of-sync update', async () => {
    const question = `Where is parcel ${Math.random().toString(36).slice(2, 8)}?`;
    const { agent, proxy } = harness.loop;
    const chatUpdates = endOfSyncUpdates(proxy.seen).length;
    await startChat(harness, question);
    // The emulator's first sync has ended with its Update Conversation.
    await expect.poll(() => endOfSyncUpdates(proxy.seen).length, { timeout: 15_000 }).toBeGreaterThan(chatUpdates);
    const word = question.split(' ').at(-1)!.replace('?', '');
    const listed = (await agent.get(`/conversations?q=${encodeURIComponent(word)}`)).body.conversations as { id: string }[];
    expect(listed).toHaveLength(1);
    const { id } = listed[0]!;

    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(harness.conversationUrl(id));
    const panel = page.getByRole('form', { name: 'Conversation details' });
    await panel.getByLabel('Title').fill('Lost parcel, order 1234');
    await panel.getByLabel('Tags (comma-separated)').fill('vip, shipping');
    const updatesBefore = endOfSyncUpdates(proxy.seen).length;
    await panel.getByRole('button', { name: 'Save conversation' }).click();

    // Finch tells Fin; the emulator pulls and ends its sync with Update Conversation.
    await expect.poll(() => endOfSyncUpdates(proxy.seen).length, { timeout: 15_000 }).toBeGreaterThan(updatesBefore);
    await page.reload();
    await expect.poll(() => panel.getByLabel('Title').inputValue()).toBe('Lost parcel, order 1234');
    expect((await panel.getByLabel('Tags (comma-separated)').inputValue()).split(', ')).toEqual(expect.arrayContaining(['vip', 'shipping']));
    // What the tag filter finds, as the demo's agents use it.
    const tagged = (await agent.get('/conversations?tag=vip')).body.conversations.map((c: { id: string }) => c.id);
    expect(tagged).toContain(id);
  });

  it('shows a customer who writes again after resolution in Mine, marked unread, until the agent opens it', async () => {
    const messenger = await startChat(harness, 'Can I change my delivery address?');
    await say(messenger, 'I want to talk to a human please');
    await messenger.getByText('Waiting for a person to reply').waitFor();
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.getByRole('link', { name: /Can I change my delivery address\?/ }).click();
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByText('Assignee: Hana').waitFor();
    const id = page.url().split('/c/')[1]!;
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(async () => (await harness.loop.agent.get(`/conversations/${id}`)).body.conversation.status).toBe('resolved');
    await page.goto(harness.loop.finch.baseUrl);
    await page.getByRole('button', { name: /Mine/ }).click();

    await say(messenger, 'Sorry, one more thing');
    const row = page.getByRole('link', { name: /Can I change my delivery address\?/ });
    await row.getByText('Unread').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: /Mine.*1 unread/ }).waitFor();
    await row.click();
    await page.getByText('Sorry, one more thing').first().waitFor();
    await expect.poll(() => row.getByText('Unread').count()).toBe(0);
  });
});

/** The emulator's Update Conversation calls that Finch answered 200 (either variant's path). */
function endOfSyncUpdates(seen: { method: string; path: string; status: number }[]) {
  return seen.filter(
    ({ method, path, status }) =>
      status === 200 && ((method === 'PUT' && path.endsWith('/conversation')) || (method === 'POST' && path.endsWith('/update_conversation'))),
  );
}
