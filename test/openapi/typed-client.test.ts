/**
 * A typed client generated from the OpenAPI document (examples/typed-client: openapi-typescript's
 * types, used through openapi-fetch) compiles against the example script, refuses a wrong call at
 * compile time, and the script signs in and lists the waiting queue of a real Finch.
 *
 * The example has its own package.json and lockfile: openapi-typescript needs TypeScript 5's
 * compiler API, which the TypeScript 7 Finch builds with does not have. This test installs them
 * from the npm registry (`npm ci --prefix examples/typed-client`) rather than skip without them.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation, makeAgent, PASSWORD } from '../support/helpdesk.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const example = path.join(root, 'examples/typed-client');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command to its end; its exit code, standard output and error either way. */
async function outcome(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A loopback port nothing listens on (taken from the system, then freed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the typed client example', () => {
  beforeAll(async () => {
    const started = Date.now();
    const installed = await outcome(npm, ['ci', '--prefix', example, '--no-audit', '--no-fund'], { cwd: root });
    expect(installed.code, `${installed.stdout}${installed.stderr}`).toBe(0);
    process.stdout.write(`typed client example: npm ci took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // What the example's README says to run: the document written by Finch, then the types from it.
    const written = await outcome(path.join(root, 'node_modules/.bin/tsx'), ['scripts/openapi.ts', '--out', 'dist/openapi.json'], { cwd: root });
    expect(written.code, written.stderr).toBe(0);
    const generated = await outcome(npm, ['run', 'generate'], { cwd: example });
    expect(generated.code, `${generated.stdout}${generated.stderr}`).toBe(0);
  }, 300_000);

  it('compiles against the script', async () => {
    const checked = await outcome(npm, ['run', 'typecheck'], { cwd: example });
    expect(checked.code, `${checked.stdout}${checked.stderr}`).toBe(0);
  }, 120_000);

  it('refuses a call the document does not allow, at compile time', async () => {
    // Picked up by the example's tsconfig (*.mjs), ignored by git and Biome (*.wrong.mjs).
    const wrong = path.join(example, 'calls.wrong.mjs');
    writeFileSync(
      wrong,
      [
        '// @ts-check',
        "import createClient from 'openapi-fetch';",
        "/** @type {import('openapi-fetch').Client<import('./finch-api.js').paths>} */",
        "const finch = createClient({ baseUrl: 'http://localhost:8080' });",
        "await finch.GET('/api/v1/conversation');",
        "await finch.GET('/api/v1/conversations', { params: { query: { queue: 'later' } } });",
        "await finch.POST('/api/v1/conversations/{id}/messages', { params: { path: { id: 'c_1' } }, body: { visibility: 'secret' } });",
        '',
      ].join('\n'),
    );
    try {
      const checked = await outcome(npm, ['run', 'typecheck'], { cwd: example });
      expect(checked.code).not.toBe(0);
      const lines = [...`${checked.stdout}`.matchAll(/calls\.wrong\.mjs\((\d+),\d+\): error/g)].map((match) => Number(match[1]));
      // The misspelt path, the unknown queue and the unknown visibility: each refused.
      expect([...new Set(lines)].sort()).toEqual([5, 6, 7]);
      expect(checked.stdout).not.toMatch(/list-conversations\.mjs/);
    } finally {
      rmSync(wrong, { force: true });
    }
  }, 120_000);

  it('says in one line that it cannot reach a Finch that is not there (exit 1, no stack trace)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await outcome(process.execPath, ['list-conversations.mjs'], {
      cwd: example,
      env: { PATH: process.env.PATH, FINCH_URL: url, FINCH_EMAIL: 'ada@example.com', FINCH_PASSWORD: 'irrelevant' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`Cannot reach Finch at ${url} (ECONNREFUSED). Is it running? Set FINCH_URL to its address.`]);
    expect(result.stdout).toBe('');
  }, 60_000);

  describe('run against a Finch', () => {
    let finch: TestFinch;
    let email: string;
    beforeAll(async () => {
      finch = await startTestFinch('sqlite', { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
      email = (await makeAgent(finch, 'Hana')).email;
      const conversation = await finConversation(finch, 'Refund for order 1234', 'My invoice is wrong');
      const handedOver = await finch.client('post').call('update_conversation', { conversation_id: conversation.id, assignee_id: null });
      expect(handedOver.status).toBe(200);
    });
    afterAll(() => finch?.close());

    it('signs in and lists the waiting conversations', async () => {
      const env = { ...process.env, FINCH_URL: finch.baseUrl, FINCH_EMAIL: email, FINCH_PASSWORD: PASSWORD };
      const listed = await outcome(process.execPath, ['list-conversations.mjs'], { cwd: example, env });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('Signed in as Hana (agent).');
      expect(listed.stdout).toContain('1 waiting:');
      expect(listed.stdout).toMatch(/^- \S+ Refund for order 1234, open, since \d{4}-/m);

      const refused = await outcome(process.execPath, ['list-conversations.mjs'], { cwd: example, env: { ...env, FINCH_PASSWORD: 'not the password' } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^Sign-in refused: 401 /);
    });
  });
});
