/**
 * The `finch` command as an operator meets it: first start, the credentials it prints, the CLI
 * working on the same data while the server runs, health, graceful shutdown, and secrets kept out
 * of the logs. On SQLite and on PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../src/client/fin-client.js';
import { AgentClient } from './support/agent-client.js';
import { createDatabase } from './support/postgres-server.js';
import { finClientFromBanner, runFinch, startFinchProcess, type ServerProcess } from './support/process.js';
import { sqlBackends } from './support/finch.js';

describe.each(sqlBackends())('finch on %s', (backend) => {
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let firstClient: { id: string; secret: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-cli-'));
    const databaseUrl = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    env = { FINCH_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, FINCH_LOG_LEVEL: 'info' };
    server = await startFinchProcess(env);
    const output = server.output();
    const client = finClientFromBanner(output)!;
    firstClient = { id: client.clientId, secret: client.clientSecret };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL, the OAuth client for Fin and where the data lives on first start', () => {
    const output = server.output();
    expect(output).toMatch(/Finch is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/Fin API base URL:\s+http:\/\/127\.0\.0\.1:\d+\/api\/fin/);
    expect(output).toMatch(/Token URL:\s+http:\/\/127\.0\.0\.1:\d+\/oauth\/token/);
    expect(firstClient.id).toMatch(/^fcl_/);
    expect(firstClient.secret).toMatch(/^fcs_/);
    expect(output).toContain(backend === 'sqlite' ? path.join(dataDir, 'finch.db') : 'postgres://');
  });

  it("keeps Fin's client secret out of the output too: in a file only its owner can read, whose place it prints", () => {
    const file = path.join(dataDir, 'fin-client.txt');
    expect(server.output()).toContain(`The client secret is in ${file}\n`);
    expect(server.output()).not.toContain(firstClient.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^Client ID:\\s+${firstClient.id}$[\\s\\S]*^Client secret:\\s+${firstClient.secret}$`, 'm'));
  });

  it("keeps the first admin's password out of the output (the log stream): in a file only its owner can read, whose place it prints", async () => {
    const file = path.join(dataDir, 'first-admin.txt');
    expect(server.output()).toContain(`the first admin's email and password are in\n  ${file}\n`);
    expect(server.output()).not.toMatch(/Password/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^Email:\s+admin@finch\.local$/m);
    const password = /^Password:\s+(\S{16})$/m.exec(text)![1]!;
    expect(server.output()).not.toContain(password);
    const admin = await AgentClient.signIn(server.baseUrl, 'admin@finch.local', password);
    expect((await admin.get('/session')).body).toMatchObject({ agent: { email: 'admin@finch.local', role: 'admin' } });
  });

  it('refuses a second start on the same port at once, with status 2 and one line naming FINCH_PORT; the first keeps serving', async () => {
    const port = new URL(server.baseUrl).port;
    const started = Date.now();
    const second = await runFinch(['start'], { ...env, FINCH_PORT: port, FINCH_DEMO: 'off' });
    expect(second.code, second.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^finch start: FINCH_PORT: 127\.0\.0\.1:\d+ is already in use .*set FINCH_PORT to a free port$/),
    ]);
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  });

  it('serves the Fin API to the printed client, with the Fin agent already there', async () => {
    const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, firstClient.id, firstClient.secret);
    const agents = await new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken }).call('get_agents');
    expect(agents.status).toBe(200);
    expect(agents.payload).toEqual([
      expect.objectContaining({ name: 'Fin', user_type: 'agent' }),
      expect.objectContaining({ name: 'Admin', email: 'admin@finch.local' }),
    ]);
  });

  it('answers /health', async () => {
    const response = await fetch(`${server.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('creates an OAuth client from the command line while the server runs', async () => {
    const result = await runFinch(['create-client', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(Object.keys(created).sort()).toEqual(['client_id', 'client_secret']);
    const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, created.client_id, created.client_secret);
    const call = await new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'post', token: accessToken }).call('get_agents');
    expect(call.status).toBe(200);
    // The secret and the token went to the command's output and the caller, never to the server's log.
    expect(server.output()).not.toContain(created.client_secret);
    expect(server.output()).not.toContain(accessToken);
  });

  it('creates agents from the command line, listed by the running server', async () => {
    const withPassword = await runFinch(
      ['create-agent', '--name', 'Ada Admin', '--email', 'ada@example.com', '--password', 'correct horse battery', '--role', 'admin', '--json'],
      env,
    );
    expect(withPassword.code, withPassword.stderr).toBe(0);
    const ada = JSON.parse(withPassword.stdout);
    expect(ada).toEqual({ id: expect.stringMatching(/^agent_/), name: 'Ada Admin', email: 'ada@example.com', role: 'admin', created_at: expect.any(String) });

    const generated = await runFinch(['create-agent', '--name', 'Gus', '--email', 'gus@example.com', '--json'], env);
    expect(generated.code, generated.stderr).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({ role: 'agent', password: expect.stringMatching(/^\S{16}$/) });

    const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, firstClient.id, firstClient.secret);
    const agents = await new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'post', token: accessToken }).call('get_agents');
    expect((agents.payload as { email: string }[]).map((agent) => agent.email)).toEqual([
      'fin@finch.invalid',
      'admin@finch.local',
      'ada@example.com',
      'gus@example.com',
    ]);

    const stored = await runFinch(['create-agent', '--name', 'Ada Again', '--email', 'ADA@example.com'], env);
    expect(stored.code).toBe(2);
    expect(stored.stderr).toContain('already exists');
  });

  it('creates a personal API token for an agent, accepted by the agent API', async () => {
    const result = await runFinch(['create-token', '--agent', 'ada@example.com', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const { token } = JSON.parse(result.stdout);
    expect(token).toMatch(/^fpt_/);
    const session = await fetch(`${server.baseUrl}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await session.json()).toMatchObject({ agent: { email: 'ada@example.com', role: 'admin' } });
    const unknown = await runFinch(['create-token', '--agent', 'nobody@example.com'], env);
    expect(unknown.code).toBe(2);
  });

  it('resets a password: a new generated one works, the old one and its sessions no longer do', async () => {
    const before = await AgentClient.signIn(server.baseUrl, 'ada@example.com', 'correct horse battery');
    const result = await runFinch(['reset-password', '--agent', 'ADA@example.com', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const { email, password } = JSON.parse(result.stdout);
    expect(email).toBe('ada@example.com');
    expect(password).toMatch(/^[\w-]{24}$/);
    expect((await before.get('/session')).status).toBe(401);
    await expect(AgentClient.signIn(server.baseUrl, 'ada@example.com', 'correct horse battery')).rejects.toThrow(/401/);
    const after = await AgentClient.signIn(server.baseUrl, 'ada@example.com', password);
    expect((await after.get('/session')).status).toBe(200);
    // Said on the command's own output, never in the server's log.
    expect(server.output()).not.toContain(password);

    const printed = await runFinch(['reset-password', '--agent', 'gus@example.com'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^New password for Gus <gus@example\.com>; their sessions were ended\.\n {2}Password: [\w-]{24} {2}\(shown once\)\n$/);

    for (const unknown of ['nobody@example.com', 'fin@finch.invalid']) {
      const refused = await runFinch(['reset-password', '--agent', unknown], env);
      expect(refused.code, unknown).toBe(1);
      expect(refused.stderr).toBe(`finch reset-password: no agent has the email ${unknown}\n`);
    }
    expect((await runFinch(['reset-password'], env)).code).toBe(2);
  });

  it('refuses bad arguments with exit status 2 and one line saying why', async () => {
    for (const args of [
      ['create-agent', '--email', 'x@example.com'],
      ['create-agent', '--name', 'X', '--email', 'not-an-email'],
      ['create-agent', '--name', 'X', '--email', 'x@example.com', '--role', 'owner'],
      ['create-agent', '--name', 'X', '--email', 'x@example.com', '--password', 'short'],
      ['create-client', '--bogus'],
      ['no-such-command'],
    ]) {
      const result = await runFinch(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.length).toBeGreaterThan(0);
    }
  });

  it('creates a static Fin API token that the running server accepts', async () => {
    const result = await runFinch(['create-fin-token', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const { token } = JSON.parse(result.stdout);
    const call = await new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token }).call('get_agents');
    expect(call.status).toBe(200);
  });

  it('shuts down gracefully on SIGTERM, and on the next start prints no secret', async () => {
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('shutting down');
    server = await startFinchProcess(env);
    expect(server.output()).not.toMatch(/Client secret/);
    expect(server.output()).toContain('finch create-client');
    expect(server.output()).toContain(`The first admin's password is still in ${path.join(dataDir, 'first-admin.txt')}: delete it once you have signed in`);
    expect(server.output()).not.toMatch(/Password/);
    const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, firstClient.id, firstClient.secret);
    expect(accessToken).toMatch(/^fat_/);
  });
});

describe('finch configuration', () => {
  it('stops with a clear message and exit status 2 on a bad setting', async () => {
    for (const [name, value] of [
      ['FINCH_PORT', 'eighty'],
      ['DATABASE_URL', 'mysql://localhost/finch'],
      ['FINCH_LOG_LEVEL', 'loud'],
    ] as const) {
      const result = await runFinch(['start'], { [name]: value, FINCH_DATA_DIR: os.tmpdir() });
      expect(result.code, `${name}=${value}`).toBe(2);
      expect(result.stderr).toContain(name);
    }
  });

  it('prints its commands for help', async () => {
    const result = await runFinch(['help'], {});
    expect(result.code).toBe(0);
    for (const command of ['start', 'create-client', 'create-agent', 'create-fin-token', 'create-token', 'reset-password', 'worker'])
      expect(result.stdout).toContain(command);
  });
});
