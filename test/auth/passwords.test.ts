/**
 * Passwords: weak ones are refused wherever a password is set (invite, an admin's edit, an agent's
 * own change, `finch create-agent`), with zxcvbn's reason; an agent changes their own password
 * with the current one (POST /api/v1/me/password), which ends their other sessions; hashes made at
 * the old scrypt cost still sign in and are replaced by ones at today's cost.
 */
import { scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';
import { runFinch } from '../support/process.js';

const STRONG = 'velvet arcade pinecone 93';
const WEAK = [
  ['twelve spaces', '            '],
  ['a repeated word', 'passwordpassword'],
  ['a common password with digits', 'password1234'],
  ['a keyboard walk', 'qwertyuiop12'],
  ['the agent’s own email', 'pat.person@example.com'],
  ['the agent’s name and a year', 'patperson2024'],
] as const;

describe.each(sqlBackends())('passwords on %s', (backend) => {
  let finch: TestFinch;
  let admin: AgentClient;
  let count = 0;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    await makeAgent(finch, 'Ada Admin', 'admin');
    admin = await AgentClient.signIn(finch.baseUrl, 'ada.admin@example.com', PASSWORD);
  });
  afterAll(() => finch?.close());

  it.each(WEAK)('refuses %s for an invited agent (422 weak_password, saying why)', async (_label, password) => {
    const response = await admin.post('/agents', { name: 'Pat Person', email: 'pat.person@example.com', password });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'weak_password', errors: [{ pointer: '/password' }] });
    expect(response.body.detail).toMatch(/\w+ \w+/);
  });

  it('accepts a strong password for an invited agent, and refuses a weak one in an admin’s edit', async () => {
    const created = await admin.post('/agents', { name: 'Quinn Strong', email: 'quinn@example.com', password: STRONG });
    expect(created.status).toBe(201);
    const edited = await admin.patch(`/agents/${created.body.agent.id}`, { password: 'quinnquinn2024' });
    expect(edited.status).toBe(422);
    expect(edited.body).toMatchObject({ code: 'weak_password', errors: [{ pointer: '/password' }] });
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: 'quinn@example.com', password: STRONG })).status).toBe(200);
  });

  describe('POST /api/v1/me/password', () => {
    let agent: Agent;
    let here: AgentClient;
    let elsewhere: AgentClient;
    beforeAll(async () => {
      agent = await makeAgent(finch, `Changer ${++count}`);
      [here, elsewhere] = await Promise.all([
        AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD),
        AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD),
      ]);
    });

    it('refuses a wrong current password (403 wrong_password) and changes nothing', async () => {
      const response = await here.post('/me/password', { current_password: 'not the password', new_password: STRONG });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'wrong_password', errors: [{ pointer: '/current_password' }] });
      expect((await elsewhere.get('/session')).status).toBe(200);
    });

    it.each(WEAK)('refuses %s as the new password (422 weak_password at /new_password, with a reason for a person)', async (_label, password) => {
      const response = await here.post('/me/password', {
        current_password: PASSWORD,
        new_password: password.replace('pat.person', agent.email.split('@')[0]!).replace('patperson', agent.name.replace(/\W/g, '').toLowerCase()),
      });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'weak_password', errors: [{ pointer: '/new_password' }] });
      expect(response.body.detail.length).toBeGreaterThan(20);
    });

    it('says what a short password lacks', async () => {
      const response = await here.post('/me/password', { current_password: PASSWORD, new_password: 'k9#mQ2v' });
      expect(response.status).toBe(422);
      expect(response.body.detail).toMatch(/at least 12 characters/);
    });

    it('changes it (204): the other sessions end, this one stays, the new password signs in and the old one not', async () => {
      expect((await here.post('/me/password', { current_password: PASSWORD, new_password: STRONG })).status).toBe(204);
      expect((await here.get('/session')).status).toBe(200);
      const ended = await elsewhere.get('/session');
      expect(ended.status).toBe(401);
      expect(ended.body).toMatchObject({ code: 'session_revoked' });
      expect((await new AgentClient(finch.baseUrl).post('/session', { email: agent.email, password: PASSWORD })).status).toBe(401);
      expect((await new AgentClient(finch.baseUrl).post('/session', { email: agent.email, password: STRONG })).status).toBe(200);
    });
  });

  it('signs in with a hash made at the old cost (N=2^14) and replaces it with one at N=2^17', async () => {
    const agent = await makeAgent(finch, `Old Hash ${backend}`);
    const salt = Buffer.from('an old salt 1234');
    const old = ['scrypt', 16384, 8, 1, salt.toString('base64url'), scryptSync(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64url')].join('$');
    await finch.database!.db.updateTable('agents').set({ password_hash: old }).where('id', '=', agent.id).execute();
    const stored = async () =>
      (await finch.database!.db.selectFrom('agents').select('password_hash').where('id', '=', agent.id).executeTakeFirstOrThrow()).password_hash!;

    expect((await new AgentClient(finch.baseUrl).post('/session', { email: agent.email, password: PASSWORD })).status).toBe(200);
    const rehashed = await stored();
    expect(rehashed).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: agent.email, password: PASSWORD })).status).toBe(200);
    expect(await stored()).toBe(rehashed);
    // A wrong password does not rehash anything.
    await finch.database!.db.updateTable('agents').set({ password_hash: old }).where('id', '=', agent.id).execute();
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: agent.email, password: 'not the password' })).status).toBe(401);
    expect(await stored()).toBe(old);
  });
});

describe('finch create-agent', () => {
  it('refuses a weak password with the reason (exit status 2), and accepts a strong one', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-cli-'));
    try {
      const env = { FINCH_DATA_DIR: dataDir, DATABASE_URL: undefined, FINCH_LOG_LEVEL: 'error' };
      for (const password of ['passwordpassword', '            ', 'ada.lovelace1815']) {
        const refused = await runFinch(['create-agent', '--name', 'Ada Lovelace', '--email', 'ada.lovelace@example.com', '--password', password], env);
        expect(refused.code, password).toBe(2);
        expect(refused.stderr).toMatch(/too weak/);
      }
      const created = await runFinch(
        ['create-agent', '--name', 'Ada Lovelace', '--email', '  Ada.Lovelace@Example.com\u00a0', '--password', STRONG, '--json'],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ email: 'ada.lovelace@example.com' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
