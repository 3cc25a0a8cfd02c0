/**
 * A crash between commit and send, with Finch's real processes on SQLite and PostgreSQL: Fin hands a
 * conversation over to a `finch start` that sends nothing itself (FINCH_DISPATCHER=off), the server
 * is killed (SIGKILL) with the notification committed and unsent, and a `finch worker` started
 * afterwards sends it to the real SMTP server: once, to the agent who chose it, with the link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { loadConfig } from '../../src/config.js';
import { createClient } from '../../src/domain/auth/credentials.js';
import { hashPassword } from '../../src/domain/auth/secrets.js';
import { openFinch } from '../../src/finch.js';
import { exitWithin, killAll, launchFinch, processesUsing } from '../process/processes.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { decoded, startSmtp, until, type SmtpReceiver } from './support.js';

const dirs: string[] = [];
let smtp: SmtpReceiver | undefined;
afterEach(async () => {
  for (const dir of dirs) killAll(processesUsing(dir));
  await smtp?.close();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe.each(sqlBackends())('a crash between commit and send (%s)', (backend) => {
  it('a notification committed by a killed server is sent by the next process', { timeout: 90_000 }, async () => {
    smtp = await startSmtp({ user: 'finch', password: 'smtp-secret-1' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-notify-crash-'));
    dirs.push(dir);
    const env = {
      FINCH_DATA_DIR: dir,
      DATABASE_URL: backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined,
      FINCH_PORT: '0',
      FINCH_DEMO: 'off',
      FINCH_LOG_LEVEL: 'info',
      FINCH_PUBLIC_URL: 'https://finch.example.com',
      FINCH_SMTP_URL: smtp.url,
      FINCH_MAIL_FROM: 'Finch <finch@example.com>',
    };

    // The installation: an OAuth client for Fin and an agent who wants every hand-over by email.
    const finch = await openFinch(loadConfig(env));
    const client = await createClient(finch.credentials, 'Fin', new Date());
    const agent = await finch.store.insertAgent({
      name: 'Ana',
      email: 'ana@example.com',
      alias: null,
      photoUrl: null,
      role: 'agent',
      isFin: false,
      passwordHash: await hashPassword('correct horse battery staple'),
      at: new Date().toISOString(),
    });
    await finch.store.transaction((tx) =>
      tx.notifications.setPreferences(
        agent.id,
        { email: { handover: 'always', assigned: 'never', customer_reply: 'never', sla: 'never' } },
        new Date().toISOString(),
      ),
    );
    await finch.close();

    // A worker with SMTP ran before (it records that email can be sent), then stopped.
    const first = launchFinch(['worker'], env);
    await first.waitFor(/finch worker delivering/);
    first.child.kill('SIGTERM');
    expect(await exitWithin(first, 15_000)).toMatchObject({ code: 0 });

    const port = await freePort();
    const server = launchFinch(['start'], { ...env, FINCH_PORT: String(port), FINCH_DISPATCHER: 'off' });
    await server.waitFor(/Finch is running at/);
    const url = `http://127.0.0.1:${port}`;
    const { accessToken } = await fetchAccessToken(`${url}/oauth/token`, client.clientId, client.clientSecret);
    const fin = new FinClient({ baseUrl: `${url}/api/fin`, variant: 'rest', token: accessToken });
    const user = (await fin.call('create_user', { name: 'Eve', email: 'eve@example.com' })).payload as { id: string };
    const created = await fin.call('create_conversation', {
      title: 'Charged twice',
      user_id: user.id,
      initial_message: { body: 'I was charged twice', author: { id: user.id, user_type: 'end_user' } },
    });
    const conversationId = (created.payload as { conversation: { id: string } }).conversation.id;
    expect((await fin.call('update_conversation', { conversation_id: conversationId, assignee_id: null })).status).toBe(200);

    // Committed and unsent: the server dies.
    server.child.kill('SIGKILL');
    await exitWithin(server, 15_000);
    expect(smtp.mails).toHaveLength(0);

    const worker = launchFinch(['worker'], env);
    await worker.waitFor(/finch worker delivering/);
    await until(() => smtp!.mails.length > 0, 'the email after the crash', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // nothing more comes
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['ana@example.com']);
    expect(decoded(smtp.mails[0]!.raw)).toContain(`https://finch.example.com/c/${conversationId}`);
    expect(worker.output()).toMatch(/"msg":"notification sent"/);
    expect(worker.output()).not.toContain('smtp-secret-1');
    worker.child.kill('SIGTERM');
    expect(await exitWithin(worker, 15_000)).toMatchObject({ code: 0 });
  });
});
