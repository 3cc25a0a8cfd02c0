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
import { startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';
import { FlakyProxy, type Rewrite } from '../support/flaky-proxy.js';
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
    const report = JSON.parse(result.stdout) as { passed: number; failed: number; warned: number; strict: boolean; checks: Record<string, unknown>[] };
    expect(report).toMatchObject({ failed: 0, warned: 0, strict: false });
    expect(report.passed).toBe(report.checks.length);
    expect(report.passed).toBeGreaterThan(50);
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(['level', 'name', 'ok', 'reason', 'why']);
      expect(['required', 'recommended']).toContain(check.level);
    }
    const xml = readFileSync(junitFile, 'utf8');
    expect(xml).toMatch(/<testsuite name="finch check" tests="\d+" failures="0"/);
    expect(xml).toContain('<testcase classname="post update_conversation" name="post update_conversation: sets the title, replaces tags, merges attributes"');
  });

  it('prints a table, in colour only when asked or on a terminal', async () => {
    const plain = await runFinch(['check', '--url', fin, '--variant', 'rest', '--client-id', client.client_id], secrets());
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^check\s+result\s+level\s+why this level$/m);
    expect(plain.stdout).toMatch(/^rest get_messages: after_id returns only the later messages\s+pass\s+recommended\s+the docs: a helpdesk "may choose"/m);
    expect(plain.stdout).toMatch(/^rest get_user: an unknown id is a 404 problem\s+pass\s+required\s+the docs: an unknown id is a 404$/m);
    expect(plain.stdout).toMatch(/\d+ passed, 0 failed, 0 warned/);
    expect(plain.stdout).not.toContain('Warnings:');
    expect(plain.stdout).not.toContain('\u001b[');
    const coloured = await runFinch(['check', '--url', fin, '--variant', 'rest', '--client-id', client.client_id], { ...secrets(), FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[32mpass  \u001b[0m');
  });

  it('exits 1 and names the failing checks when the helpdesk refuses the credentials', async () => {
    const result = await runFinch(['check', '--url', fin, '--variant', 'post', '--token', 'not-a-token'], { FINCH_CHECK_SIGNING_SECRET: SIGNING_SECRET });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^post get_agents: lists the agents in the contract shape\s+FAIL\s+required\s+.*\n\s+↳ get_agents answered 401 instead of 200/m,
    );
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

  describe('against helpdesks that stray from the contract (Finch behind a rewriting proxy)', () => {
    // A Finch without a signing secret: the proxy rewrites requests, which would break their signatures.
    let unsigned: TestFinch;
    let proxies: FlakyProxy[] = [];
    beforeAll(async () => {
      unsigned = await startTestFinch('memory');
    });
    afterAll(async () => {
      for (const proxy of proxies) await proxy.stop();
      proxies = [];
      await unsigned?.close();
    });
    const behind = async (rewrite: Rewrite) => {
      const proxy = await new FlakyProxy(unsigned.baseUrl, rewrite).start();
      proxies.push(proxy);
      return `${proxy.url}/api/fin`;
    };
    const check = (url: string, ...flags: string[]) => runFinch(['check', '--url', url, '--variant', 'rest', ...flags], { FINCH_CHECK_TOKEN: unsigned.token });
    const ignoringAfterId: Rewrite = { request: (request) => ({ ...request, path: request.path.replace(/[&?]after_id=[^&]*/, '') }) };

    it('exits 0 with a warning, shown apart, when after_id is ignored; --strict makes it a failure', async () => {
      const url = await behind(ignoringAfterId);
      const result = await check(url);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stderr).toMatch(/^! rest get_messages: after_id returns only the later messages \(recommended\) — after_id \S+ still returned/m);
      const [main, warnings] = result.stdout.split('Warnings: recommended checks that did not pass (they fail the run only with --strict)');
      expect(main).not.toContain('after_id returns only the later messages');
      expect(warnings).toMatch(/^rest get_messages: after_id returns only the later messages\s+warn\s+recommended\s+the docs: a helpdesk "may choose"/m);
      expect(warnings).toMatch(/\d+ passed, 0 failed, 1 warned/);

      const strict = await check(url, '--strict', '--json');
      expect(strict.code).toBe(1);
      const report = JSON.parse(strict.stdout) as { failed: number; warned: number; strict: boolean; checks: { name: string; ok: boolean; level: string }[] };
      expect(report).toMatchObject({ failed: 1, warned: 0, strict: true });
      expect(report.checks.filter((c) => !c.ok)).toEqual([
        expect.objectContaining({ name: 'rest get_messages: after_id returns only the later messages', level: 'recommended' }),
      ]);
    });

    it('counts warnings as "warned" in --json and writes them as <skipped> in JUnit', async () => {
      const url = await behind({
        ...ignoringAfterId,
        response: (response) => {
          if (response.status >= 300 || !(response.headers['content-type'] ?? '').startsWith('application/json')) return response;
          const body = JSON.parse(response.body.toString('utf8')) as unknown;
          const extra = Array.isArray(body) ? body.map((item) => ({ ...item, x_extra: true })) : { ...(body as object), x_extra: true };
          return { ...response, body: Buffer.from(JSON.stringify(extra)) };
        },
      });
      const junitFile = path.join(dataDir, 'warned.xml');
      const result = await check(url, '--json', '--junit', junitFile);
      expect(result.code, result.stdout).toBe(0);
      const report = JSON.parse(result.stdout) as { failed: number; warned: number; checks: { name: string; ok: boolean; level: string; why: string }[] };
      expect(report.failed).toBe(0);
      expect(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.level])).toEqual([
        ['rest get_messages: after_id returns only the later messages', 'recommended'],
        ['rest answers: only the documented keys', 'recommended'],
      ]);
      expect(report.warned).toBe(2);
      expect(report.checks.find((c) => c.name === 'rest answers: only the documented keys')!.why).toMatch(/x_extra/);
      const xml = readFileSync(junitFile, 'utf8');
      expect(xml).toMatch(/<testsuite name="finch check" tests="\d+" failures="0" skipped="\d+"/);
      expect(xml).toMatch(
        /<testcase classname="rest get_messages" name="rest get_messages: after_id returns only the later messages" time="[\d.]+">\n\s+<skipped message="warning \(recommended: after_id/,
      );
      expect(xml).not.toContain('<failure');
    });

    it('exits 1 with failures against a broken one: a wrong status code and a required field missing', async () => {
      const url = await behind({
        response: (response, request) => {
          if (request.method === 'POST' && response.status === 201) return { ...response, status: 200 };
          if (response.status === 200 && request.path.startsWith('/api/fin/agents')) {
            const agents = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>[];
            return { ...response, body: Buffer.from(JSON.stringify(agents.map(({ user_type: _dropped, ...rest }) => rest))) };
          }
          return response;
        },
      });
      const result = await check(url, '--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { failed: number; checks: { name: string; ok: boolean; level: string; why: string }[] };
      const failed = report.checks.filter((c) => !c.ok && c.level === 'required');
      expect(failed.map((c) => c.name)).toEqual(
        expect.arrayContaining(['rest get_agents: lists the agents in the contract shape', 'rest create_user: creates an end-user']),
      );
      expect(failed.find((c) => c.name.startsWith('rest get_agents'))!.why).toContain('lacks "user_type"');
      expect(failed.find((c) => c.name === 'rest create_user: creates an end-user')!.why).toContain('answered 200 instead of 201');
      expect(report.failed).toBe(failed.length);
    });
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

/** A check of `finch` listening for the webhook, which the test posts itself: the key, the body's other fields, the status expected. */
function postedBy(finch: TestFinch, key: string, fields: Record<string, unknown>, status: number) {
  return runConformance(
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
          headers: { 'content-type': 'application/json', 'x-webhook-key': key },
          body: JSON.stringify({ conversation_id: conversationId, ...fields }),
        });
        expect(response.status).toBe(status);
      },
    },
  );
}

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

  it.each([
    ['a sync event with event_type null (the docs: "omitted or null")', { event_type: null }, true],
    ['a sync event with a key of its own', { source: 'helpdesk' }, true],
    [
      'an agent_typing event with the agent in full',
      { event_type: 'agent_typing', data: { agent: { id: 'a1', user_type: 'agent', name: 'Hana', email: null } } },
      true,
    ],
    ["an agent_typing event without the agent's email", { event_type: 'agent_typing', data: { agent: { id: 'a1', user_type: 'agent', name: 'Hana' } } }, false],
    [
      "an agent_typing event without the agent's id",
      { event_type: 'agent_typing', data: { agent: { user_type: 'agent', name: 'Hana', email: 'h@example.com' } } },
      false,
    ],
  ])('judges the body of %s', async (_what, fields, passes) => {
    const finch = await startTestFinch('memory');
    try {
      const report = await postedBy(finch, 'right-key', fields, 202);
      const body = report.checks.find((check) => check.name === 'webhook: the body is a sync or agent_typing event')!;
      expect(body.level).toBe('required');
      expect(body.ok, body.why).toBe(passes);
    } finally {
      await finch.close();
    }
  });

  it('fails the key check when the helpdesk sends the wrong X-Webhook-Key, and the arrival check when nothing comes', async () => {
    const finch = await startTestFinch('memory');
    try {
      const report = await postedBy(finch, 'wrong-key', {}, 401);
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
