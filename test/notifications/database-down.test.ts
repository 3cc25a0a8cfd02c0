/**
 * Notifications while PostgreSQL takes no writes (read-only): the settings' writes answer 503 with
 * Retry-After and a problem body and work again once it takes writes; the sender says once that it
 * waits, and sends once writes are back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { record, sender, startSmtp, until, type Logged } from './support.js';
import { SYSTEM_ACTOR } from '../../src/domain/activity/activity.js';

const onPostgres = sqlBackends().includes('postgres') ? describe : describe.skip;

onPostgres('notification settings while the database takes no writes', () => {
  let finch: TestFinch;
  let admin: pg.Client;
  let name: string;
  let boss: AgentClient;

  beforeAll(async () => {
    finch = await startTestFinch('postgres');
    admin = new pg.Client({ connectionString: inject('postgresUrl')! });
    await admin.connect();
    name = new URL(finch.databaseUrl!).pathname.slice(1);
    const agent = await makeAgent(finch, 'Boss', 'admin');
    boss = await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
  });
  afterAll(async () => {
    await admin?.query(`alter database ${name} reset default_transaction_read_only`).catch(() => undefined);
    await admin?.end();
    await finch?.close();
  });

  async function readOnly(on: boolean): Promise<void> {
    await admin.query(on ? `alter database ${name} set default_transaction_read_only = on` : `alter database ${name} reset default_transaction_read_only`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  }

  it('answers 503 with Retry-After, then saves once writes are back', async () => {
    await readOnly(true);
    const attempts = [
      () => boss.put('/me/notifications', { email: { handover: 'always' } }),
      () => boss.put('/settings/chat-webhook', { url: 'https://hooks.slack.com/services/T0/B0/abcdef' }),
    ];
    for (const attempt of attempts) {
      let answer = await attempt();
      // The first requests may meet the terminated sessions (503 too): then the read-only ones.
      for (let i = 0; i < 5 && answer.status !== 503; i++) answer = await attempt();
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    await readOnly(false);
    let saved = await attempts[0]!();
    for (let i = 0; i < 10 && saved.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      saved = await attempts[0]!();
    }
    expect(saved.status).toBe(200);
    expect(saved.body.email.handover).toBe('always');
    expect((await boss.get('/settings/chat-webhook')).body.configured).toBe(false);
  });

  it('keeps a queued email while writes are refused, says so once, and sends it when they are back', { timeout: 30_000 }, async () => {
    const smtp = await startSmtp();
    const logs: Logged[] = [];
    const send = sender(finch, smtp, { logs });
    try {
      await finch.finch!.notifications.reportChannels({ email: true }, new Date().toISOString());
      const ana = await makeAgent(finch, 'Ana');
      await finch.finch!.store.transaction((tx) =>
        tx.notifications.setPreferences(
          ana.id,
          { email: { handover: 'never', assigned: 'never', customer_reply: 'never', sla: 'always' } },
          new Date().toISOString(),
        ),
      );
      const { id } = await finConversation(finch);
      await finch.database!.db.updateTable('conversations').set({ assignee_id: ana.id }).where('id', '=', id).execute();
      await readOnly(true);
      send.start();
      // Queued while the sender cannot claim (the event's own transaction is refused too: queue it once writes are back).
      await until(() => logs.some((line) => line.message === 'the database is unavailable: notifications wait'), 'the warning', 10_000);
      await readOnly(false);
      const at = new Date().toISOString();
      let queued = false;
      for (let i = 0; i < 20 && !queued; i++) {
        queued = await record(finch, [
          { conversationId: id, at, kind: 'sla_due_soon', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt: at } },
        ]).then(
          () => true,
          () => false,
        );
        if (!queued) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await until(() => logs.some((line) => line.message === 'the database is available again: sending notifications'), 'the sender back', 10_000);
      await until(() => smtp.mails.length === 1 && logs.some((line) => line.message === 'notification sent'), 'the email once writes are back', 10_000);
      expect(logs.filter((line) => line.message === 'the database is unavailable: notifications wait')).toHaveLength(1);
    } finally {
      await send.stop();
      await smtp.close();
    }
  });
});
