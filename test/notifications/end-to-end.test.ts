/**
 * Notifications from the product's own changes, over real HTTP on both databases (the events come
 * from the use cases, not the test): an admin assigns a conversation to an agent who is not there
 * → "assigned to you"; the customer writes through Fin → "replied", grouped after the first email
 * and sent when the window closes; the assignee taking their own conversation emails nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_WINDOW_MS } from '../../src/domain/notifications/queue-notifications.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { decoded, notificationRows, sender, startSmtp, type SmtpReceiver } from './support.js';

describe.each(sqlBackends())('notifications from the product’s changes (%s)', (backend) => {
  let finch: TestFinch;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    smtp = await startSmtp();
    await finch.finch!.notifications.reportChannels({ email: true }, new Date().toISOString());
  });
  afterAll(async () => {
    await smtp.close();
    await finch.close();
  });

  it('emails the assignee an admin chose, then the customer’s replies grouped', async () => {
    const ana = await makeAgent(finch, 'Ana');
    const boss = await makeAgent(finch, 'Boss', 'admin');
    const admin = await AgentClient.signIn(finch.baseUrl, boss.email, PASSWORD);
    const conversation = await finConversation(finch, 'Lost parcel');
    const send = sender(finch, smtp);

    expect((await admin.patch(`/conversations/${conversation.id}`, { assignee_id: ana.id })).status).toBe(200);
    await send.runOnce();
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ana@example.com']]);
    expect(decoded(smtp.mails[0]!.raw)).toMatch(/Subject: A conversation was assigned to you: Lost parcel/);

    const fin = finch.client('rest');
    for (const body of ['Any news?', 'Hello??']) {
      const answer = await fin.call('create_message', { conversation_id: conversation.id, body, author: { id: conversation.user.id, user_type: 'end_user' } });
      expect(answer.status).toBe(201);
    }
    await send.runOnce();
    expect(smtp.mails).toHaveLength(1); // within the window after the last email
    finch.clock.advance(GROUP_WINDOW_MS + 1);
    await send.runOnce();
    expect(smtp.mails).toHaveLength(2);
    const grouped = decoded(smtp.mails[1]!.raw);
    expect(grouped).toMatch(/Subject: .* replied \(2 new messages\): Lost parcel/);
    expect(grouped).toContain('Hello??'); // the latest message's words, once
    expect(grouped.split('Hello??').length - 1).toBe(2); // the text part and the HTML part

    // Boss takes a conversation himself: no email to anyone.
    const own = await finConversation(finch, 'Mine now');
    expect((await admin.patch(`/conversations/${own.id}`, { assignee_id: boss.id })).status).toBe(200);
    finch.clock.advance(GROUP_WINDOW_MS + 1);
    await send.runOnce();
    expect(smtp.mails).toHaveLength(2);
    expect((await notificationRows(finch)).filter((row) => row.conversation_id === own.id)).toEqual([]);
  });
});
