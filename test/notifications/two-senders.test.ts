/**
 * Several senders on one PostgreSQL database (two Finch nodes) share the notifications: each one is
 * claimed by one sender (FOR UPDATE SKIP LOCKED) and emailed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/activity/activity.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation, makeAgent } from '../support/helpdesk.js';
import { notificationRows, record, sender, startSmtp, until, type SmtpReceiver } from './support.js';

const onPostgres = sqlBackends().includes('postgres') ? describe : describe.skip;

onPostgres('two senders on one PostgreSQL database', () => {
  let first: TestFinch;
  let second: TestFinch;
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    first = await startTestFinch('postgres');
    second = await startTestFinch('postgres', { databaseUrl: first.databaseUrl });
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
    await second.close();
    await first.close();
  });

  it('emails each of 40 agents about one SLA warning exactly once', { timeout: 60_000 }, async () => {
    await first.finch!.notifications.reportChannels({ email: true }, new Date().toISOString());
    const { id } = await finConversation(first);
    await first.database!.db.updateTable('conversations').set({ assignee_id: null, status: 'open' }).where('id', '=', id).execute();
    for (let n = 0; n < 40; n++) await makeAgent(first, `Agent ${n}`);
    // Nobody holds it: everyone who chose `sla` (the default, when away; nobody is online) is warned.
    const at = first.clock.now().toISOString();
    await record(first, [{ conversationId: id, at, kind: 'sla_due_soon', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt: at } }]);
    const senders = [sender(first, smtp, { worker: 'node-a' }), sender(second, smtp, { worker: 'node-b' })];
    for (const each of senders) each.start();
    try {
      await until(async () => (await notificationRows(first)).every((row) => row.status === 'sent'), 'every row sent', 30_000);
    } finally {
      await Promise.all(senders.map((each) => each.stop()));
    }
    const rows = await notificationRows(first);
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    const recipients = smtp.mails.flatMap((mail) => mail.to);
    expect(recipients).toHaveLength(40);
    expect(new Set(recipients).size).toBe(40);
  });
});
