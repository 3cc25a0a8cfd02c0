/**
 * The outbox survives what processes go through: a server killed with SIGKILL after a change was
 * committed but before Fin heard of it delivers the notification once it is back; on PostgreSQL,
 * two `finch worker` processes share the work and deliver each notification once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { AgentClient } from '../support/agent-client.js';
import { FinReceiver } from '../support/fin-receiver.js';
import { sqlBackends, type Backend } from '../support/finch.js';
import { createDatabase } from '../support/postgres-server.js';
import { finClientFromBanner, runFinch, startFinchProcess, startWorkerProcess, type ServerProcess } from '../support/process.js';

const PASSWORD = 'correct horse battery staple';

interface Setup {
  env: Record<string, string | undefined>;
  receiver: FinReceiver;
  cleanup: () => Promise<void>;
}

async function setup(backend: Backend): Promise<Setup> {
  const receiver = await new FinReceiver().start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-crash-'));
  const env = {
    FINCH_DATA_DIR: dataDir,
    DATABASE_URL: backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined,
    FINCH_FIN_INTEGRATION_ID: 'int_crash',
    FINCH_FIN_WEBHOOK_KEY: 'crash-key',
    FINCH_FIN_BASE_URL: receiver.baseUrl,
    FINCH_LOG_LEVEL: 'warn',
  };
  const created = await runFinch(['create-agent', '--name', 'Ops', '--email', 'ops@example.com', '--password', PASSWORD, '--role', 'admin', '--json'], env);
  expect(created.code, created.stderr).toBe(0);
  return {
    env,
    receiver,
    cleanup: async () => {
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fin starts `count` conversations and an agent notes on each: one notification per conversation. */
async function changeConversations(server: ServerProcess, count: number, credentials: { id: string; secret: string }): Promise<string[]> {
  const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, credentials.id, credentials.secret);
  const fin = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
  const agent = await AgentClient.signIn(server.baseUrl, 'ops@example.com', PASSWORD);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const user = (await fin.call('create_user', { name: `User ${i}` })).payload as { id: string };
    const created = await fin.call('create_conversation', {
      user_id: user.id,
      initial_message: { body: `Help ${i}`, author: { id: user.id, user_type: 'end_user' } },
    });
    const id = (created.payload as { conversation: { id: string } }).conversation.id;
    expect((await agent.post(`/conversations/${id}/messages`, { body: 'On it', visibility: 'private' })).status).toBe(201);
    ids.push(id);
  }
  return ids;
}

const clientOf = (server: ServerProcess) => {
  const client = finClientFromBanner(server.output())!;
  return { id: client.clientId, secret: client.clientSecret };
};

describe.each(sqlBackends())('a killed server on %s', (backend) => {
  let context: Setup;
  beforeAll(async () => {
    context = await setup(backend);
  });
  afterAll(() => context?.cleanup());

  it('delivers, after a restart, what was committed before SIGKILL', async () => {
    // The first process commits the change but never delivers (its dispatcher is off)…
    const first = await startFinchProcess({ ...context.env, FINCH_DISPATCHER: 'off' });
    const [conversationId] = await changeConversations(first, 1, clientOf(first));
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(context.receiver.received).toHaveLength(0);

    // …and the restarted server delivers it.
    const second = await startFinchProcess(context.env);
    try {
      await context.receiver.waitFor(1, 15_000);
      expect(context.receiver.received.map((hook) => hook.body)).toEqual([{ conversation_id: conversationId }]);
      expect(context.receiver.received[0]!.headers['x-webhook-key']).toBe('crash-key');
    } finally {
      await second.stop();
    }
  });
});

describe.skipIf(!inject('postgresUrl'))('two workers on postgres', () => {
  let context: Setup;
  beforeAll(async () => {
    context = await setup('postgres');
  });
  afterAll(() => context?.cleanup());

  it('deliver each notification exactly once between them', { timeout: 90_000 }, async () => {
    const server = await startFinchProcess({ ...context.env, FINCH_DISPATCHER: 'off' });
    const workers = [await startWorkerProcess(context.env), await startWorkerProcess(context.env)];
    try {
      const ids = await changeConversations(server, 40, clientOf(server));
      await context.receiver.waitFor(40, 20_000);
      // Give a duplicate, if there were one, the time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const delivered = context.receiver.received.map((hook) => hook.body.conversation_id as string);
      expect(delivered.sort()).toEqual([...ids].sort());
      const eventIds = context.receiver.received.map((hook) => hook.headers['x-finch-event-id']);
      expect(new Set(eventIds).size).toBe(40);
    } finally {
      for (const worker of workers) expect((await worker.stop()).code).toBe(0);
      await server.stop();
    }
  });
});
