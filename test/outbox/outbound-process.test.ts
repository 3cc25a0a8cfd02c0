/**
 * The on-premises setting as an admin uses it, with the `finch` program on every database: an
 * https:// base URL on a loopback or private address stops Finch at start, naming
 * FINCH_FIN_ALLOWED_NETWORKS; with that variable (and NODE_EXTRA_CA_CERTS for the target's private
 * CA) Finch delivers to it over TLS. The target is an HTTPS server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { finClientFromBanner, finchArgs, runFinch, startFinchProcess } from '../support/process.js';
import { TEST_CA_FILE, TlsReceiver } from '../support/tls-receiver.js';

const PASSWORD = 'correct horse battery staple';

/**
 * `finch start` that is expected to stop at once on its configuration; killed after 15 s if it
 * starts after all, so a failing test leaves no server behind.
 */
function startRefused(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FINCH_') && key !== 'DATABASE_URL'));
  const defined = Object.fromEntries(Object.entries({ ...env, FINCH_PORT: '0', FINCH_DEMO: 'off' }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, finchArgs(['start']), {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...base, ...defined },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

describe.each(sqlBackends())('an on-premises Fin target with the finch program on %s', (backend) => {
  let tls: TlsReceiver;
  let dataDir: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    tls = await new TlsReceiver().start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-outbound-'));
    env = {
      FINCH_DATA_DIR: dataDir,
      DATABASE_URL: backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined,
      FINCH_FIN_INTEGRATION_ID: 'int_onprem',
      FINCH_FIN_WEBHOOK_KEY: 'onprem-key',
      FINCH_FIN_BASE_URL: `https://localhost:${tls.port}`,
      FINCH_LOG_LEVEL: 'warn',
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
    };
  });
  afterAll(async () => {
    await tls?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('will not start with a loopback https:// base URL, or a network list it cannot read, naming the variable', { timeout: 45_000 }, async () => {
    const refused = await startRefused(env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'FINCH_FIN_BASE_URL must not point to localhost, a loopback address (set FINCH_FIN_ALLOWED_NETWORKS to allow an on-premises network).',
    );
    const unreadable = await startRefused({ ...env, FINCH_FIN_ALLOWED_NETWORKS: '127.0.0.0/8,intranet' });
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toContain('FINCH_FIN_ALLOWED_NETWORKS: "intranet" is not a network');
    expect(tls.connections).toBe(0);
  });

  it('delivers over TLS to an allowed network', async () => {
    const allowed = { ...env, FINCH_FIN_ALLOWED_NETWORKS: '127.0.0.0/8, ::1' };
    const created = await runFinch(
      ['create-agent', '--name', 'Ops', '--email', 'ops@example.com', '--password', PASSWORD, '--role', 'admin', '--json'],
      allowed,
    );
    expect(created.code, created.stderr).toBe(0);
    const server = await startFinchProcess(allowed);
    try {
      const output = server.output();
      const client = finClientFromBanner(output)!;
      const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
      const fin = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
      const user = (await fin.call('create_user', { name: 'On-prem user' })).payload as { id: string };
      const conversation = (
        await fin.call('create_conversation', { user_id: user.id, initial_message: { body: 'Hello', author: { id: user.id, user_type: 'end_user' } } })
      ).payload as { conversation: { id: string } };
      const agent = await AgentClient.signIn(server.baseUrl, 'ops@example.com', PASSWORD);
      expect((await agent.post(`/conversations/${conversation.conversation.id}/messages`, { body: 'On it', visibility: 'private' })).status).toBe(201);

      const deadline = Date.now() + 15_000;
      while (tls.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(tls.received).toHaveLength(1);
      expect(tls.received[0]).toMatchObject({
        path: '/hooks/standalone/custom_helpdesk_conversation_event/int_onprem',
        headers: { 'x-webhook-key': 'onprem-key' },
      });
      expect(JSON.parse(tls.received[0]!.body)).toEqual({ conversation_id: conversation.conversation.id });
      const log = (await agent.get(`/deliveries?conversation_id=${conversation.conversation.id}`)).body.deliveries;
      expect(log[0]).toMatchObject({ outcome: 'delivered', status_code: 202, response_excerpt: null, error: null });
    } finally {
      await server.stop();
    }
  });
});
