/**
 * `finch start` with no Fin settings: Finch and the Fin emulator (a separate process) wired to each
 * other, the messenger and an agent sign-in printed, the loop working end to end; and, with real
 * Fin settings, no emulator at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { Messenger } from '../support/emulator.js';
import { startFinchProcess, type ServerProcess } from '../support/process.js';

describe('the zero-configuration demo', () => {
  let dataDir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-demo-'));
    server = await startFinchProcess({ FINCH_DATA_DIR: dataDir, FINCH_DEMO: 'on', FINCH_LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the emulator, prints the messenger and a sign-in, and runs the whole loop', async () => {
    const output = server.output();
    const messengerUrl = /Messenger \(chat as an end-user\):\s+(\S+)\//.exec(output)?.[1];
    expect(messengerUrl, output).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toMatch(/Notifying Fin:\s+yes, at http:\/\/127\.0\.0\.1:\d+\/hooks\/standalone\/custom_helpdesk_conversation_event\/finch-demo/);
    const email = /Email:\s+(\S+)/.exec(output)![1]!;
    const password = /Password:\s+(\S+)/.exec(output)![1]!;

    const messenger = new Messenger(messengerUrl!);
    // The emulator connects (Get Agents) once Finch answers; the first chat may need a moment.
    let started: Awaited<ReturnType<Messenger['start']>>;
    for (let attempt = 0; ; attempt++) {
      try {
        started = await messenger.start('Can I talk to a person?');
        break;
      } catch (error) {
        if (attempt > 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(started.chat.mode).toBe('waiting');
    const agent = await AgentClient.signIn(server.baseUrl, email, password);
    const waiting = (await agent.get('/conversations?queue=waiting')).body.conversations;
    expect(waiting.map((c: { id: string }) => c.id)).toContain(started.chat.conversation_id);
    await agent.post(`/conversations/${started.chat.conversation_id}/messages`, { body: 'Hello from the demo inbox' });
    const replied = await messenger.until(started.chat.id, (view) => view.messages.some((m) => m.role === 'agent'));
    expect(replied.chat.mode).toBe('human');
  });

  it('stops the emulator with Finch', async () => {
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
  });
});

describe('with real Fin settings', () => {
  it('does not start the emulator', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-real-'));
    const server = await startFinchProcess({
      FINCH_DATA_DIR: dataDir,
      FINCH_DEMO: 'on',
      FINCH_FIN_INTEGRATION_ID: 'int_real',
      FINCH_FIN_WEBHOOK_KEY: 'key',
      FINCH_FIN_REGION: 'eu',
    });
    try {
      expect(server.output()).not.toContain('Messenger');
      expect(server.output()).toContain('Notifying Fin:     yes, at https://api.eu.intercom.io/hooks/standalone/custom_helpdesk_conversation_event/int_real');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
