/**
 * The notification settings' writes while PostgreSQL takes no writes (read-only): 503 with
 * Retry-After and a problem body, nothing half-written, and they work again once it takes writes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

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
});
