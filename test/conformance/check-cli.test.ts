/**
 * `finch check` as users run it: the built command against a running Finch, its table, `--json`,
 * `--junit`, `--endpoints`, exit statuses and usage errors; and `--listen`, which waits for the
 * helpdesk's webhook after an agent's reply.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/contract/operations.js';
import { runConformance } from '../../src/conformance/run-checks.js';
import type { FinSettingsOverrides } from '../../src/domain/fin-settings.js';
import { createDispatcher } from '../../src/cli/dispatching.js';
import { systemClock } from '../../src/outbox/clock.js';
import { AgentClient } from '../support/agent-client.js';
import { startTestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';
import { runFinch, startFinchProcess, type ServerProcess } from '../support/process.js';

const SIGNING_SECRET = 'cli-check-secret';

describe('finch check (the command)', () => {
  let dataDir: string;
  let server: ServerProcess;
  let fin: string;
  let client: { client_id: string; client_secret: string };
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-check-cli-'));
    const env = { FINCH_DATA_DIR: dataDir, FINCH_SIGNING_SECRET: SIGNING_SECRET };
    server = await startFinchProcess(env);
    fin = `${server.baseUrl}/api/fin`;
    client = JSON.parse((await runFinch(['create-client', '--json'], env)).stdout) as typeof client;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Secrets as variables, as the README advises (flags show in `ps`).
  const secrets = () => ({ FINCH_CHECK_CLIENT_SECRET: client.client_secret, FINCH_CHECK_SIGNING_SECRET: SIGNING_SECRET });

  it('passes against Finch: --json on stdout, progress on stderr, a JUnit file, exit 0', async () => {
    const junitFile = path.join(dataDir, 'check.xml');
    const result = await runFinch(['check', '--url', fin, '--client-id', client.client_id, '--json', '--junit', junitFile], secrets());
    expect(result.stderr).toContain('✓ rest get_agents: lists the agents in the contract shape');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { passed: number; failed: number; checks: Record<string, unknown>[] };
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.checks.length);
    expect(report.passed).toBeGreaterThan(50);
    for (const check of report.checks) expect(Object.keys(check).sort()).toEqual(['name', 'ok', 'why']);
    const xml = readFileSync(junitFile, 'utf8');
    expect(xml).toMatch(/<testsuite name="finch check" tests="\d+" failures="0"/);
    expect(xml).toContain('<testcase classname="post update_conversation" name="post update_conversation: sets the title, replaces tags, merges attributes"');
  });

  it('prints a table, in colour only when asked or on a terminal', async () => {
    const plain = await runFinch(['check', '--url', fin, '--variant', 'rest', '--client-id', client.client_id], secrets());
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^check\s+result\s+why$/m);
    expect(plain.stdout).toMatch(/^rest get_messages: after_id returns only the later messages\s+pass\s+get_messages 200 in \d+ ms$/m);
    expect(plain.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(plain.stdout).not.toContain('\u001b[');
    const coloured = await runFinch(['check', '--url', fin, '--variant', 'rest', '--client-id', client.client_id], { ...secrets(), FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[32mpass  \u001b[0m');
  });

  it('exits 1 and names the failing checks when the helpdesk refuses the credentials', async () => {
    const result = await runFinch(['check', '--url', fin, '--variant', 'post', '--token', 'not-a-token'], { FINCH_CHECK_SIGNING_SECRET: SIGNING_SECRET });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^post get_agents: lists the agents in the contract shape\s+FAIL\s+get_agents answered 401 instead of 200/m);
    expect(result.stdout).toMatch(/\b\d+ passed, [1-9]\d* failed/);
  });

  it('calls operations at individual URLs with --endpoints', async () => {
    const file = path.join(dataDir, 'endpoints.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(OPERATIONS.map((op) => [op.name, `${fin}${op.post.path}`]))));
    // A base URL where nothing answers: every call must go to the URLs of the file.
    const result = await runFinch(
      [
        'check',
        '--url',
        'http://127.0.0.1:9/nowhere',
        '--token-url',
        `${server.baseUrl}/oauth/token`,
        '--variant',
        'post',
        '--endpoints',
        file,
        '--client-id',
        client.client_id,
        '--json',
      ],
      secrets(),
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ failed: 0 });
    expect(result.code).toBe(0);
  });

  it.each([
    [[], '--url is required'],
    [['--url', 'ftp://x'], '--url must be an http(s) URL'],
    [['--url', 'http://x', '--token', 't', '--variant', 'soap'], '--variant must be rest, post or both'],
    [['--url', 'http://x'], 'give --client-id and --client-secret, or --token'],
    [['--url', 'http://x', '--token', 't', '--endpoints', 'e.json'], '--endpoints gives one variant'],
    [['--url', 'http://x', '--token', 't', '--listen', '8099'], '--listen needs --integration-id and --webhook-key'],
    [['--url', 'http://x', '--token', 't', '--listen', 'nope', '--integration-id', 'i', '--webhook-key', 'k'], '--listen must be PORT or HOST:PORT'],
  ])('refuses bad usage %j with exit 2', async (args, message) => {
    const result = await runFinch(['check', ...args], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('explains itself with --help', async () => {
    const result = await runFinch(['check', '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: finch check --url BASE_URL');
  });
});

describe('finch check --listen', () => {
  it("checks the helpdesk's webhook after a change on the helpdesk side", async () => {
    const fin: FinSettingsOverrides = { integrationId: 'int_check', webhookKey: 'check-webhook-key' };
    const finch = await startTestFinch('sqlite', { fin });
    const quiet = () => {};
    const dispatcher = createDispatcher(finch.finch!, { fin }, { logger: { info: quiet, warn: quiet, error: quiet }, clock: systemClock, pollMs: 50 });
    dispatcher.start();
    try {
      const admin = await makeAgent(finch, 'Hana', 'admin');
      const agent = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
      let listenedAt = '';
      const report = await runConformance(
        {
          baseUrl: finch.apiUrl,
          variants: ['rest'],
          credentials: { kind: 'token', token: finch.token },
          listen: { host: '127.0.0.1', port: 0, integrationId: 'int_check', webhookKey: 'check-webhook-key', timeoutMs: 10_000 },
        },
        {
          // What the operator does: point Finch at the checker, then reply in the helpdesk.
          onListening: async (url, conversationId) => {
            listenedAt = url;
            fin.baseUrl = new URL(url).origin;
            const reply = await agent.post(`/conversations/${conversationId}/messages`, { body: 'Checking the webhook', visibility: 'public' });
            expect(reply.status).toBe(201);
          },
        },
      );
      expect(listenedAt).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/standalone\/custom_helpdesk_conversation_event\/int_check$/);
      expect(report.checks.filter((check) => !check.ok)).toEqual([]);
      expect(report.checks.filter((check) => check.name.startsWith('webhook:')).map((check) => check.name)).toEqual([
        'webhook: the helpdesk sends one',
        'webhook: the path names the integration id',
        'webhook: X-Webhook-Key is the webhook key',
        'webhook: the body is a sync or agent_typing event',
      ]);
    } finally {
      await dispatcher.stop();
      await finch.close();
    }
  });

  it('fails the key check when the helpdesk sends the wrong X-Webhook-Key, and the arrival check when nothing comes', async () => {
    const finch = await startTestFinch('memory');
    try {
      const report = await runConformance(
        {
          baseUrl: finch.apiUrl,
          variants: ['rest'],
          credentials: { kind: 'token', token: finch.token },
          listen: { host: '127.0.0.1', port: 0, integrationId: 'int_check', webhookKey: 'right-key', timeoutMs: 3000 },
        },
        {
          onListening: async (url, conversationId) => {
            const response = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-webhook-key': 'wrong-key' },
              body: JSON.stringify({ conversation_id: conversationId }),
            });
            expect(response.status).toBe(401);
          },
        },
      );
      expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['webhook: X-Webhook-Key is the webhook key']);

      const silent = await runConformance(
        {
          baseUrl: finch.apiUrl,
          variants: ['post'],
          credentials: { kind: 'token', token: finch.token },
          listen: { host: '127.0.0.1', port: 0, integrationId: 'int_check', webhookKey: 'right-key', timeoutMs: 500 },
        },
        {},
      );
      expect(silent.checks.filter((check) => !check.ok).map((check) => check.why)).toEqual([
        expect.stringMatching(/^nothing arrived at http:\/\/127\.0\.0\.1:\d+\/hooks\/standalone\/custom_helpdesk_conversation_event\/int_check within 1 s$/),
        'not run: no webhook arrived',
        'not run: no webhook arrived',
        'not run: no webhook arrived',
      ]);
    } finally {
      await finch.close();
    }
  });
});
