/**
 * How chat posts go out, over real HTTP receivers on both databases: a burst is one post listing
 * every event with its link; posts are paced (one per CHAT_PACE_MS) and a 429's Retry-After is
 * waited out; a queued post follows the chat settings as they are when it is sent (dropped when
 * the webhook is removed or its kind switched off, sent to the current URL); and a hanging webhook
 * never holds an email back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/activity/activity.js';
import type { ChatWebhookSettings } from '../../src/domain/notifications/chat-webhook.js';
import { NotifyWaitingJob } from '../../src/jobs/notify-waiting.js';
import { CHAT_PACE_MS } from '../../src/notifications/sender.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation, makeAgent } from '../support/helpdesk.js';
import { notificationRows, record, sender, startChatReceiver, startSmtp, until, type ChatReceiver } from './support.js';

describe.each(sqlBackends())('chat posts: grouped, paced, judged when sent (%s)', (backend) => {
  let finch: TestFinch;
  let chat: ChatReceiver;

  const setChat = (settings: Partial<ChatWebhookSettings>) =>
    finch.finch!.notifications.setChatWebhook({ url: chat.url, waitingMinutes: 10, slaBreaches: true, ...settings }, finch.clock.now().toISOString());
  /** A conversation whose first reply was just missed (recorded as the SLA job records it). */
  const breach = async (title: string) => {
    const { id } = await finConversation(finch, title);
    const at = finch.clock.now().toISOString();
    await record(finch, [{ conversationId: id, at, kind: 'sla_breached', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt: at } }]);
    return id;
  };
  /** Conversations waiting for 11 minutes, queued by the long-wait job. */
  const longWaits = async (titles: string[]) => {
    const ids: string[] = [];
    for (const title of titles) {
      const { id } = await finConversation(finch, title);
      const handedOverAt = new Date(finch.clock.now().getTime() - 11 * 60_000).toISOString();
      await finch
        .database!.db.updateTable('conversations')
        .set({ assignee_id: null, status: 'open', handed_over_at: handedOverAt })
        .where('id', '=', id)
        .execute();
      ids.push(id);
    }
    await new NotifyWaitingJob({ outbox: finch.finch!.notifications }).run(finch.clock.now());
    return ids;
  };
  const statuses = async () => (await notificationRows(finch)).map((row) => [row.conversation_id, row.status, row.last_error]);

  beforeEach(async () => {
    finch = await startTestFinch(backend);
    chat = await startChatReceiver();
    await setChat({});
  });
  afterEach(async () => {
    await chat.close();
    await finch.close();
  });

  it('posts a burst as one post listing each event with its link, then at most one post per second', async () => {
    const breached = [await breach('Breach one'), await breach('Breach two'), await breach('Breach three')];
    const waiting = await longWaits(['Wait one', 'Wait two']);
    const send = sender(finch, undefined);
    await send.runOnce();
    expect(chat.posts).toHaveLength(1);
    const text = chat.posts[0]!.text;
    expect(text.split('\n')[0]).toBe('2 hand-overs waiting, 3 SLA breaches:');
    for (const id of [...breached, ...waiting]) expect(text).toContain(`https://finch.example.com/c/${id}`);
    expect(text.split('\n')).toHaveLength(6);
    expect((await statuses()).every(([, status]) => status === 'sent')).toBe(true);

    // Another breach right after: it waits for the pace, then goes on its own.
    const late = await breach('Breach four');
    await send.runOnce();
    expect(chat.posts).toHaveLength(1);
    finch.clock.advance(CHAT_PACE_MS);
    await send.runOnce();
    expect(chat.posts).toHaveLength(2);
    expect(chat.posts[1]!.text).toMatch(/^SLA breached: .*Breach four/);
    expect(chat.posts[1]!.text).toContain(`/c/${late}`);
  });

  it('waits what a 429 answer’s Retry-After says before the next attempt, and keeps the failure as the last attempt', async () => {
    chat.answer = { status: 429, headers: { 'retry-after': '7' } };
    const id = await breach('Rate limited');
    const send = sender(finch, undefined);
    const before = finch.clock.now().getTime();
    await send.runOnce();
    const after = finch.clock.now().getTime();
    expect(chat.posts).toHaveLength(1);
    const [row] = await notificationRows(finch);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    // Retry-After, not the backoff (10 s).
    expect(new Date(row!.available_at).getTime()).toBeGreaterThanOrEqual(before + 7_000);
    expect(new Date(row!.available_at).getTime()).toBeLessThanOrEqual(after + 7_000);
    expect(await finch.finch!.notifications.chatAttempt()).toMatchObject({ ok: false, error: expect.stringMatching(/answered 429$/), test: false });

    chat.answer = { status: 200 };
    finch.clock.advance(6_000);
    await send.runOnce();
    expect(chat.posts).toHaveLength(1); // not before the Retry-After
    finch.clock.advance(1_001 + (after - before));
    await send.runOnce();
    expect(chat.posts).toHaveLength(2);
    expect(chat.posts[1]!.text).toContain(`/c/${id}`);
    expect(await statuses()).toEqual([[id, 'sent', null]]);
    expect(await finch.finch!.notifications.chatAttempt()).toMatchObject({ ok: true, error: null });
  });

  it('drops a queued post whose kind was switched off or whose webhook was removed, and sends the rest to the current URL', async () => {
    const breached = await breach('Breach then off');
    const [waited] = await longWaits(['Wait then off']);
    await setChat({ slaBreaches: false, waitingMinutes: 0 });
    const send = sender(finch, undefined);
    await send.runOnce();
    expect(chat.posts).toEqual([]);
    expect(await statuses()).toEqual(
      expect.arrayContaining([
        [breached, 'dropped', 'posts for SLA breaches are off'],
        [waited, 'dropped', 'posts for long waits are off'],
      ]),
    );

    await setChat({});
    const removed = await breach('Breach then removed');
    await finch.finch!.notifications.setChatWebhook({ url: null, waitingMinutes: 10, slaBreaches: true }, finch.clock.now().toISOString());
    finch.clock.advance(CHAT_PACE_MS);
    await send.runOnce();
    expect((await statuses()).find(([id]) => id === removed)).toEqual([removed, 'dropped', 'no chat webhook is set']);

    await setChat({});
    const moved = await breach('Breach then moved');
    const other = await startChatReceiver();
    try {
      await finch.finch!.notifications.setChatWebhook({ url: other.url, waitingMinutes: 10, slaBreaches: true }, finch.clock.now().toISOString());
      finch.clock.advance(CHAT_PACE_MS);
      await send.runOnce();
      expect(chat.posts).toEqual([]);
      expect(other.posts).toHaveLength(1);
      expect(other.posts[0]!.text).toContain(`/c/${moved}`);
    } finally {
      await other.close();
    }
  });

  it('sends an email at once while a chat post hangs', async () => {
    const smtp = await startSmtp();
    const ana = await makeAgent(finch, 'Ana');
    await finch.finch!.notifications.reportChannels({ email: true }, finch.clock.now().toISOString());
    await finch.finch!.store.transaction((tx) =>
      tx.notifications.setPreferences(
        ana.id,
        { email: { handover: 'never', assigned: 'always', customer_reply: 'never', sla: 'never' } },
        finch.clock.now().toISOString(),
      ),
    );
    chat.answer = 'hang';
    const send = sender(finch, smtp, { timeoutMs: 6_000 });
    try {
      await breach('Hanging post');
      send.start();
      await until(() => chat.posts.length === 1, 'the hanging post');
      const { id } = await finConversation(finch, 'Assigned while the webhook hangs');
      await finch.database!.db.updateTable('conversations').set({ assignee_id: ana.id }).where('id', '=', id).execute();
      const started = performance.now();
      await record(finch, [
        {
          conversationId: id,
          at: finch.clock.now().toISOString(),
          kind: 'assigned',
          actor: SYSTEM_ACTOR,
          details: { assigneeId: ana.id, previousAssigneeId: null, how: 'manual' },
        },
      ]);
      await until(() => smtp.mails.length === 1, 'the email', 3_000);
      // Well before the hanging post's 6 s timeout.
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(smtp.mails[0]!.to).toEqual(['ana@example.com']);
    } finally {
      await chat.close();
      await send.stop();
      await smtp.close();
    }
  });
});
