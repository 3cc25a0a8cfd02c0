/**
 * The team's chat webhook over a real HTTP receiver, on both databases: a hand-over waiting longer
 * than N minutes is posted once (the job runs again, and on another node, without a second post),
 * not when someone took it meanwhile; an SLA breach is posted; the URL never reaches the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/activity/activity.js';
import { NotifyWaitingJob } from '../../src/jobs/notify-waiting.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation, makeAgent } from '../support/helpdesk.js';
import { notificationRows, record, sender, startChatReceiver, type ChatReceiver, type Logged } from './support.js';

describe.each(sqlBackends())('chat webhook (%s)', (backend) => {
  let finch: TestFinch;
  let chat: ChatReceiver;

  beforeEach(async () => {
    finch = await startTestFinch(backend);
    chat = await startChatReceiver();
    await finch.finch!.notifications.setChatWebhook({ url: chat.url, waitingMinutes: 10, slaBreaches: true }, finch.clock.now().toISOString());
  });
  afterEach(async () => {
    await chat.close();
    await finch.close();
  });

  const waitingSince = async (minutesAgo: number, title: string) => {
    const { id } = await finConversation(finch, title);
    const handedOverAt = new Date(finch.clock.now().getTime() - minutesAgo * 60_000).toISOString();
    await finch
      .database!.db.updateTable('conversations')
      .set({ assignee_id: null, status: 'open', handed_over_at: handedOverAt })
      .where('id', '=', id)
      .execute();
    return id;
  };

  it('posts a hand-over waiting longer than N minutes once, and not one that someone took meanwhile', async () => {
    const long = await waitingSince(11, 'Where is my parcel?');
    await waitingSince(5, 'Not long yet');
    const taken = await waitingSince(12, 'Taken meanwhile');
    const job = new NotifyWaitingJob({ outbox: finch.finch!.notifications });
    expect(await job.run(finch.clock.now())).toEqual({ waiting: 2 });
    expect(await job.run(finch.clock.now())).toEqual({ waiting: 2 }); // queued again: still one per hand-over
    const agent = await makeAgent(finch, 'Taker');
    await finch.database!.db.updateTable('conversations').set({ assignee_id: agent.id }).where('id', '=', taken).execute();
    const logs: Logged[] = [];
    const send = sender(finch, undefined, { logs });
    await send.runOnce();
    await send.runOnce();
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]!.text).toMatch(/has waited over 10 min for a person: Where is my parcel\? https:\/\/finch\.example\.com\/c\//);
    expect(chat.posts[0]!.text).toContain(`/c/${long}`);
    const rows = await notificationRows(finch);
    expect(rows.map((row) => [row.conversation_id, row.status]).sort()).toEqual(
      [
        [long, 'sent'],
        [taken, 'dropped'],
      ].sort(),
    );
    expect(JSON.stringify(logs)).not.toContain('secret-token-xyz');
  });

  it('posts an SLA breach, and retries while the chat server is down without logging its URL', async () => {
    const { id } = await finConversation(finch, 'Late <reply> & co');
    const dueAt = finch.clock.now().toISOString();
    await chat.close();
    await record(finch, [{ conversationId: id, at: dueAt, kind: 'sla_breached', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt } }]);
    const logs: Logged[] = [];
    const send = sender(finch, undefined, { logs });
    await send.runOnce();
    const [failed] = await notificationRows(finch);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed!.last_error).not.toContain('secret-token-xyz');
    expect(JSON.stringify(logs)).not.toContain('secret-token-xyz');
    chat = await startChatReceiver();
    await finch.finch!.notifications.setChatWebhook({ url: chat.url, waitingMinutes: 10, slaBreaches: true }, finch.clock.now().toISOString());
    finch.clock.advance(10_001);
    await send.runOnce();
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]!.text).toMatch(/^SLA breached: first reply was due .* UTC: Late &lt;reply&gt; &amp; co https:\/\/finch\.example\.com\/c\/conv_/);
  });

  it('posts no SLA breach when the admin turned breaches off', async () => {
    await finch.finch!.notifications.setChatWebhook({ url: chat.url, waitingMinutes: 10, slaBreaches: false }, finch.clock.now().toISOString());
    const { id } = await finConversation(finch);
    const at = finch.clock.now().toISOString();
    await record(finch, [{ conversationId: id, at, kind: 'sla_breached', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt: at } }]);
    expect(await notificationRows(finch)).toEqual([]);
  });
});
