/**
 * Finch and the Fin emulator wired together in the test process, both on loopback: the emulator
 * calls Finch's Fin API (optionally through a proxy), Finch's dispatcher notifies the emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Variant } from '../../src/contract/models.js';
import { DEMO_KNOWLEDGE } from '../../src/emulator/demo-knowledge.js';
import type { EmulatorConfig } from '../../src/emulator/config.js';
import { runEmulator, type RunningEmulator } from '../../src/emulator/run.js';
import type { FinSettingsOverrides } from '../../src/domain/fin-settings.js';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { systemClock } from '../../src/outbox/clock.js';
import type { Dispatcher } from '../../src/outbox/dispatcher.js';
import { AgentClient } from './agent-client.js';
import { FlakyProxy, type Rewrite } from './flaky-proxy.js';
import { startTestFinch, type Backend, type TestFinch, type TestFinchOptions } from './finch.js';
import { PASSWORD, makeAgent } from './helpdesk.js';

/** What the dispatcher and the emulator logged, shown when a chat never gets where a test expects. */
function recorder() {
  const lines: string[] = [];
  const record = (level: string) => (details: object, message: string) =>
    void lines.push(`${new Date().toISOString()} ${level} ${message} ${JSON.stringify(details)}`);
  return { lines, logger: { info: record('info'), warn: record('warn'), error: record('error') } };
}

export interface Loop {
  finch: TestFinch;
  emulator: RunningEmulator;
  proxy: FlakyProxy;
  dispatcher: Dispatcher;
  agent: AgentClient;
  messenger: Messenger;
  close: () => Promise<void>;
}

export interface LoopOptions {
  finch?: TestFinchOptions;
  retryIntervalMs?: number;
  /** Finch's answers can be rewritten on their way to the emulator (a helpdesk that strays). */
  rewrite?: Rewrite;
  /** A fixed token for the emulator instead of the OAuth client. */
  fixedToken?: boolean;
}

export async function startLoop(backend: Backend, variant: Variant, options: LoopOptions = {}): Promise<Loop> {
  const fin: FinSettingsOverrides = { integrationId: 'int_loop', webhookKey: 'loop-key' };
  const finch = await startTestFinch(backend, { ...options.finch, fin });
  const proxy = await new FlakyProxy(finch.baseUrl, options.rewrite).start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-emulator-'));
  const config: EmulatorConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    helpdesk: {
      baseUrl: `${proxy.url}/api/fin`,
      variant,
      credentials: options.fixedToken
        ? { kind: 'token', token: finch.token }
        : { kind: 'oauth', tokenUrl: `${proxy.url}/oauth/token`, clientId: finch.clientId, clientSecret: finch.clientSecret },
      ...(options.finch?.signingSecret ? { signingSecret: options.finch.signingSecret } : {}),
    },
    integrationId: 'int_loop',
    webhookKey: 'loop-key',
    finAgentId: undefined,
    knowledge: DEMO_KNOWLEDGE,
    confidence: 8,
    retries: 5,
    retryIntervalMs: options.retryIntervalMs ?? 60_000,
  };
  const log = recorder();
  const emulator = await runEmulator(config, log.logger);
  // Finch notifies the emulator; the settings object is the one its helpdesk side already reads.
  fin.baseUrl = emulator.url;
  const dispatcher = createDispatcher(finch.finch!, { fin }, { logger: log.logger, clock: systemClock, pollMs: 50 });
  dispatcher.start();
  const admin = await makeAgent(finch, 'Hana', 'admin');
  const agent = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  return {
    finch,
    emulator,
    proxy,
    dispatcher,
    agent,
    messenger: new Messenger(emulator.url, () => log.lines.slice(-20).join('\n')),
    close: async () => {
      await dispatcher.stop();
      await emulator.stop();
      await proxy.stop();
      await finch.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChatView {
  chat: { id: string; mode: string; conversation_id: string | null; holder_name: string | null; has_email: boolean };
  messages: { role: string; author_name: string | null; body: string; attachments: { url: string; filename: string; filetype: string }[] }[];
  typing: string | null;
}

/** How a chat starts beyond its first message: a signed-in user, attachments, the conversation's attributes. */
export interface StartOptions {
  userId?: string;
  email?: string | null;
  attachments?: { url: string; filename?: string }[];
  attributes?: Record<string, unknown>;
}

/** The messenger's JSON API, as its page uses it. */
export class Messenger {
  constructor(
    readonly url: string,
    private readonly diagnostics: () => string = () => '',
  ) {}

  async start(message: string, visitor = 'visitor-1', name = 'Eve', options: StartOptions = {}): Promise<ChatView> {
    const { userId, email = `${visitor}@example.com`, ...rest } = options;
    return this.post('/api/chats', { visitor_id: visitor, ...(userId ? { user_id: userId } : {}), name, email, message, ...rest }, 201);
  }

  async say(chatId: string, message: string, attachments?: { url: string; filename?: string }[]): Promise<ChatView> {
    return this.post(`/api/chats/${chatId}/messages`, { message, ...(attachments ? { attachments } : {}) }, 202);
  }

  /** The email collector: the end-user leaves an email. */
  async giveEmail(chatId: string, email: string): Promise<ChatView> {
    return this.post(`/api/chats/${chatId}/email`, { email }, 202);
  }

  private async post(path: string, body: unknown, status: number): Promise<ChatView> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== status) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as ChatView;
  }

  async view(chatId: string): Promise<ChatView> {
    return (await (await fetch(`${this.url}/api/chats/${chatId}`)).json()) as ChatView;
  }

  /** Polls the chat until `ready` holds (the emulator learns of the helpdesk's changes by webhook). */
  async until(chatId: string, ready: (view: ChatView) => boolean, timeoutMs = 10_000): Promise<ChatView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.view(chatId);
      if (ready(view)) return view;
      if (Date.now() > deadline) throw new Error(`the chat never got there: ${JSON.stringify(view)}\nrecent logs:\n${this.diagnostics()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async errors(): Promise<{ operation: string; status: number | null; attempt: number; detail: string }[]> {
    return ((await (await fetch(`${this.url}/api/errors`)).json()) as { errors: never[] }).errors;
  }
}
