/**
 * An email is one key however it is typed: sign-in finds the agent by any spelling, every spelling
 * counts against one sign-in limit (padding the address used to give fresh attempts), invites store
 * one spelling and refuse another spelling of a taken address, and migration 0006 rewrites emails
 * stored before in that spelling. An agent's address is judged once normalized, by one rule for
 * the agent API and `finch create-agent`: any spelling of a good address is accepted and stored
 * plain, anything else is 422 `invalid_email` pointing at /email.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/store/sql/database.js';
import { migrateToLatest } from '../../src/store/sql/migrations/index.js';
import { SqlAccountStore } from '../../src/store/sql/sql-account-store.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';
import { createDatabase } from '../support/postgres-server.js';
import { runFinch } from '../support/process.js';

const SPELLINGS = [
  'admin@example.com',
  '   admin@example.com',
  '\tadmin@example.com',
  'admin@example.com\n',
  'ADMIN@EXAMPLE.COM',
  '\u00a0Admin@Example.com',
  'admin@example.com\u3000',
  '\u2003admin@example.com\u2009',
  '\u200badmin@example.com\ufeff',
  'ａｄｍｉｎ@example.com',
  ' \u202fADMIN@example.com ',
];

describe.each(sqlBackends())('emails as keys on %s', (backend) => {
  let finch: TestFinch;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { loginRateLimit: 10 });
  });
  afterAll(() => finch?.close());

  it('counts every spelling of one address against one sign-in limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push(
        (await new AgentClient(finch.baseUrl).post('/session', { email: SPELLINGS[i % SPELLINGS.length], password: `wrong password ${i}` })).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
  });

  it('signs in by any spelling of the address', async () => {
    const agent = await makeAgent(finch, 'Pad Agent');
    expect(agent.email).toBe('pad.agent@example.com');
    for (const email of ['  PAD.AGENT@example.com\u00a0', '\tpad.agent@EXAMPLE.com', 'ｐａｄ.agent@example.com\u200b']) {
      const response = await new AgentClient(finch.baseUrl).post('/session', { email, password: PASSWORD });
      expect(response.status, JSON.stringify(email)).toBe(200);
      expect(response.body.agent.id).toBe(agent.id);
    }
  });

  it('stores an invited email in one spelling, and refuses another spelling of it (409)', async () => {
    await makeAgent(finch, 'Ida Admin', 'admin');
    const admin = await AgentClient.signIn(finch.baseUrl, 'ida.admin@example.com', PASSWORD);
    const created = await admin.post('/agents', { name: 'New Person', email: 'New.Person@Example.COM' });
    expect(created.status).toBe(201);
    expect(created.body.agent.email).toBe('new.person@example.com');
    const again = await admin.post('/agents', { name: 'Copy', email: 'NEW.PERSON@example.com' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'email_taken' });
    // The generated password signs in, by the address as it was typed.
    expect((await new AgentClient(finch.baseUrl).post('/session', { email: ' New.Person@Example.COM ', password: created.body.password })).status).toBe(200);
  });
});

/** Spellings of good addresses the schema's `format: 'email'` refused before they were normalized: [typed, stored]. */
const LOOK_ALIKES = [
  ['\u00a0ALICE@Example.com\u200b', 'alice@example.com'],
  ['ａlice2@example.com', 'alice2@example.com'],
  ['\u212aate@example.com', 'kate@example.com'],
  ['ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'bob@example.com'],
  ['\ufb01sh@example.com', 'fish@example.com'],
  ['\u{1d41a}nn@example.com', 'ann@example.com'],
  ['\tZed@Example.com\n', 'zed@example.com'],
  ['ce\u00adcile@example.com', 'cecile@example.com'],
] as const;
const NOT_ADDRESSES = [
  '',
  '\u200b\u00a0',
  'not an email',
  'alice@',
  '@example.com',
  'a@b@example.com',
  'ad min@example.com',
  'alice@localhost',
  '"q"@example.com',
  `${'a'.repeat(65)}@example.com`,
  'josé@example.com',
];

describe.each(sqlBackends())("agents' addresses on %s", (backend) => {
  let finch: TestFinch;
  let admin: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    await makeAgent(finch, 'Ivy Admin', 'admin');
    admin = await AgentClient.signIn(finch.baseUrl, 'ivy.admin@example.com', PASSWORD);
  });
  afterAll(() => finch?.close());

  it.each(LOOK_ALIKES)('invites %j as %j, who signs in by the plain spelling and the typed one', async (typed, stored) => {
    const created = await admin.post('/agents', { name: 'Look Alike', email: typed });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.agent.email).toBe(stored);
    for (const email of [stored, typed, stored.toUpperCase()]) {
      const signedIn = await new AgentClient(finch.baseUrl).post('/session', { email, password: created.body.password });
      expect(signedIn.status, JSON.stringify(email)).toBe(200);
      expect(signedIn.body.agent.id).toBe(created.body.agent.id);
    }
    // Another spelling of the same address is the same agent.
    expect((await admin.post('/agents', { name: 'Again', email: ` ${stored.toUpperCase()} ` })).body).toMatchObject({ code: 'email_taken' });
  });

  it.each(NOT_ADDRESSES)('refuses %j with 422 invalid_email pointing at /email, storing nothing', async (email) => {
    const before = await finch.dump();
    const refused = await admin.post('/agents', { name: 'Nobody', email });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'invalid_email', errors: [{ pointer: '/email', detail: expect.any(String) }] });
    expect(await finch.dump()).toBe(before);
  });
});

describe('finch create-agent judges the address by the same rule', () => {
  it('accepts a look-alike spelling, stores it plain, and refuses what the agent API refuses (exit status 2)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-cli-'));
    try {
      const env = { FINCH_DATA_DIR: dataDir, DATABASE_URL: undefined, FINCH_LOG_LEVEL: 'error' };
      const created = await runFinch(['create-agent', '--name', 'Kate Kelvin', '--email', '\u212aate@Example.com\u200b', '--json'], env);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ email: 'kate@example.com' });
      for (const email of ['alice@localhost', 'ad min@example.com', '"q"@example.com']) {
        const refused = await runFinch(['create-agent', '--name', 'Nobody', '--email', email], env);
        expect(refused.code, email).toBe(2);
        expect(refused.stderr).toMatch(/not an email address/);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.each(sqlBackends())('migration 0006 on %s', (backend) => {
  it('rewrites stored emails in the one spelling, leaving the later of two that would collide', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-migrate-'));
    const url = backend === 'postgres' ? await createDatabase(inject('postgresUrl')!) : undefined;
    const database = openDatabase({ url, dataDir });
    try {
      await migrateToLatest(database.db, database.dialect, '0005_files');
      const agent = (id: string, email: string, at: string) => ({
        id,
        name: id,
        email,
        alias: null,
        photo_url: null,
        role: 'agent' as const,
        is_fin: 0,
        active: 1,
        password_hash: null,
        created_at: at,
        updated_at: at,
      });
      await database.db
        .insertInto('agents')
        .values([
          agent('agent_mixed', 'Mixed.Case@Example.com', '2026-01-01T00:00:00.000Z'),
          agent('agent_padded', '\u00a0padded@example.com\u2003', '2026-01-01T00:00:01.000Z'),
          agent('agent_plain', 'plain@example.com', '2026-01-01T00:00:02.000Z'),
          agent('agent_first', 'twin@example.com', '2026-01-01T00:00:03.000Z'),
          agent('agent_second', '\u200btwin@example.com', '2026-01-01T00:00:04.000Z'),
        ])
        .execute();
      await migrateToLatest(database.db, database.dialect);
      const rows = await database.db.selectFrom('agents').select(['id', 'email']).where('id', 'like', 'agent_%').orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'agent_first', email: 'twin@example.com' },
        { id: 'agent_mixed', email: 'mixed.case@example.com' },
        { id: 'agent_padded', email: 'padded@example.com' },
        { id: 'agent_plain', email: 'plain@example.com' },
        { id: 'agent_second', email: '\u200btwin@example.com' },
      ]);
      const accounts = new SqlAccountStore(database);
      expect((await accounts.findCredentials('mixed.case@example.com'))?.agent.id).toBe('agent_mixed');
      expect((await accounts.findCredentials('padded@example.com'))?.agent.id).toBe('agent_padded');
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
