/**
 * FINCH_SIGNATURE_MODE on SQLite and PostgreSQL, over real HTTP with Finch's own logger: report
 * mode accepts a mis-signed request, logs one warning with the canonical string Finch computed
 * (never the secret, never the signature), counts it in the database (across nodes on
 * PostgreSQL), and shows it to admins only; enforce mode, the default with a secret, still refuses.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinClient } from '../../src/client/fin-client.js';
import { loadConfig } from '../../src/config.js';
import { createClient, issueAccessToken } from '../../src/domain/auth/credentials.js';
import { hashPassword } from '../../src/domain/auth/secrets.js';
import { buildServer } from '../../src/http/server.js';
import { MemoryCredentialStore } from '../../src/store/memory/memory-credential-store.js';
import { MemoryFinStore } from '../../src/store/memory/memory-fin-store.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends } from '../support/finch.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from './server.js';

const SECRET = 'whsec_report_mode_secret_value';
const AGENT_EMAIL = 'ivo@example.com';

const seconds = () => Math.floor(Date.now() / 1000);
const sign = (payload: string, ts: number, secret = SECRET) => createHmac('sha256', secret).update(`${ts}:${payload}`).digest('hex');

/** The server's log lines at warning level, parsed. */
function warnings(server: RunningServer): Record<string, any>[] {
  return server
    .log()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((line) => line.level === 40);
}

async function addAgent(server: RunningServer): Promise<void> {
  await server.finch.store.insertAgent({
    name: 'Ivo',
    email: AGENT_EMAIL,
    alias: null,
    photoUrl: null,
    role: 'agent',
    isFin: false,
    passwordHash: await hashPassword(ADMIN_PASSWORD),
    at: new Date().toISOString(),
  });
}

/** A GET to the Fin API with the given signature headers. */
function finGet(server: RunningServer, pathAndQuery: string, headers: Record<string, string>) {
  return fetch(`${server.baseUrl}/api/fin${pathAndQuery}`, { headers: { authorization: `Bearer ${server.finToken}`, ...headers } });
}

function finPost(server: RunningServer, path: string, body: string, headers: Record<string, string>) {
  return fetch(`${server.baseUrl}/api/fin${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${server.finToken}`, 'content-type': 'application/json', ...headers },
  });
}

describe.each(sqlBackends())('FINCH_SIGNATURE_MODE=report on %s', (backend) => {
  let server: RunningServer;
  let admin: AgentClient;
  let userId: string;
  beforeAll(async () => {
    server = await startServer(backend, { env: { FINCH_SIGNING_SECRET: SECRET, FINCH_SIGNATURE_MODE: 'report' } });
    await addAgent(server);
    admin = await AgentClient.signIn(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
    const fin = new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: server.finToken, signingSecret: SECRET });
    const created = await fin.call('create_user', { name: 'Report', object_id: 'report-user' });
    expect(created.status).toBe(201);
    userId = (created.payload as { id: string }).id;
  });
  afterAll(() => server?.close());

  it('counts nothing for correctly signed requests', async () => {
    expect((await admin.get('/settings/fin/signature-report')).body).toEqual({ mode: 'report', total: 0, since: null, recent: [] });
    expect(warnings(server)).toEqual([]);
  });

  it('accepts a mis-signed request, logs one warning with the canonical string and no secret, counts it, and shows it to admins', async () => {
    const ts = seconds();
    const wrong = sign(`user_id=${userId}`, ts, 'not the secret');
    const response = await finGet(server, `/user?user_id=${userId}`, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': wrong });
    expect(response.status).toBe(200);

    const lines = warnings(server);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain('FINCH_SIGNATURE_MODE=report');
    expect(lines[0]!.signature).toEqual({
      mode: 'report',
      outcome: 'no_match',
      canonical: `${ts}:user_id=${userId}`,
      matched_form: null,
      tried_forms: ['query'],
      digest: 'hex',
    });
    expect(server.log()).not.toContain(SECRET);
    expect(server.log()).not.toContain(wrong);

    const report = await admin.get('/settings/fin/signature-report');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      mode: 'report',
      total: 1,
      recent: [{ method: 'GET', path: '/api/fin/user', outcome: 'no_match', canonical: `${ts}:user_id=${userId}`, matched_form: null, digest: 'hex' }],
    });
    expect(report.body.since).toBe(report.body.recent[0].at);
    expect(JSON.stringify(report.body)).not.toContain(wrong);
  });

  it('says which other accepted form matched, and describes a body by its length and hash only', async () => {
    const afterId = 'msg a+b';
    const query = `conversation_id=conv_none&after_id=${encodeURIComponent(afterId)}`;
    const ts = seconds();
    const encoded = `after_id=${encodeURIComponent(afterId)}&conversation_id=conv_none`;
    const get = await finGet(server, `/messages?${query}`, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign(encoded, ts) });
    expect(get.status).not.toBe(401); // accepted (the conversation does not exist)

    const body = JSON.stringify({ user_id: userId, attributes: { note: 'what the customer wrote' } });
    const post = await finPost(server, '/update_user', body, { 'x-fin-request-timestamp': String(ts) });
    expect(post.status).toBe(200);

    const { body: report } = await admin.get('/settings/fin/signature-report');
    expect(report.total).toBe(3);
    const [missing, otherForm] = report.recent;
    expect(missing).toMatchObject({ method: 'POST', path: '/api/fin/update_user', outcome: 'missing', canonical: null, digest: 'missing', tried_forms: [] });
    expect(otherForm).toMatchObject({
      outcome: 'other_form',
      canonical: `${ts}:after_id=${afterId}&conversation_id=conv_none`,
      matched_form: 'query-encoded',
      tried_forms: ['query', 'query-encoded'],
    });
    // A wrong signature over a body: the canonical string names the body's size and hash, not its words.
    await finPost(server, '/update_user', body, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('{}', ts) });
    const latest = (await admin.get('/settings/fin/signature-report')).body.recent[0];
    expect(latest.canonical).toMatch(new RegExp(`^${ts}:<body: ${Buffer.byteLength(body)} bytes, sha256 [0-9a-f]{64}>$`));
    expect(server.log()).not.toContain('what the customer wrote');
  });

  it('counts a request refused after its signature was judged (a body that is not JSON)', async () => {
    const before = (await admin.get('/settings/fin/signature-report')).body.total as number;
    const ts = seconds();
    const response = await finPost(server, '/get_user', '{"user_id": ', { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('{}', ts) });
    expect(response.status).toBe(400);
    await expect.poll(async () => (await admin.get('/settings/fin/signature-report')).body.total).toBe(before + 1);
    expect((await admin.get('/settings/fin/signature-report')).body.recent[0]).toMatchObject({ path: '/api/fin/get_user', outcome: 'no_match' });
  });

  it('censors secret-looking parameters in the canonical string, as in every logged URL', async () => {
    const ts = seconds();
    const query = `access_token=abc123secretvalue&user_id=${userId}&z_key=zzz987secretvalue`;
    expect((await finGet(server, `/user?${query}`, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('x', ts) })).status).not.toBe(401);
    const latest = (await admin.get('/settings/fin/signature-report')).body.recent[0];
    expect(latest.canonical).toMatch(new RegExp(`^${ts}:access_token=[^&]+&user_id=${userId}&z_key=`));
    for (const text of [JSON.stringify(latest), server.log()]) {
      expect(text).not.toContain('abc123secretvalue');
      expect(text).not.toContain('zzz987secretvalue');
    }
  });

  it('is for admins: an agent gets 403, nobody signed in 401', async () => {
    const agent = await AgentClient.signIn(server.baseUrl, AGENT_EMAIL, ADMIN_PASSWORD);
    const refused = await agent.get('/settings/fin/signature-report');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden' });
    const anonymous = await new AgentClient(server.baseUrl).get('/settings/fin/signature-report');
    expect(anonymous.status).toBe(401);
  });

  it('keeps the last 20, newest first, and counts them all', async () => {
    const before = (await admin.get('/settings/fin/signature-report')).body.total as number;
    for (let i = 0; i < 22; i++) {
      const ts = seconds();
      expect((await finGet(server, `/user?user_id=${userId}&n=${i}`, { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': 'garbage' })).status).toBe(
        200,
      );
    }
    const { body: report } = await admin.get('/settings/fin/signature-report');
    expect(report.total).toBe(before + 22);
    expect(report.recent).toHaveLength(20);
    expect(report.recent[0].canonical).toContain('n=21');
    expect(report.recent[19].canonical).toContain('n=2&');
    expect(report.recent[0].digest).toBe('unreadable');
  });
});

describe('FINCH_SIGNATURE_MODE=report on the in-memory store (the Fin API alone)', () => {
  it('accepts a mis-signed request and logs one warning with the canonical string, no secret', async () => {
    let log = '';
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const credentials = new MemoryCredentialStore();
    const config = loadConfig({ FINCH_SIGNING_SECRET: SECRET, FINCH_SIGNATURE_MODE: 'report', FINCH_LOG_LEVEL: 'info' });
    const app = await buildServer(config, { store: new MemoryFinStore(), credentials, ping: async () => {} }, { logStream });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const client = await createClient(credentials, 'tests', new Date());
      const grant = await issueAccessToken(credentials, client, 3600, new Date());
      if (!grant.ok) throw new Error('no token');
      const ts = seconds();
      const wrong = sign('', ts, 'not the secret');
      const response = await fetch(`${baseUrl}/api/fin/agents`, {
        headers: { authorization: `Bearer ${grant.accessToken}`, 'x-fin-request-timestamp': String(ts), 'x-fin-signature': wrong },
      });
      expect(response.status).toBe(200);
      const warned = log.split('\n').filter((line) => line.includes('"level":40'));
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0]!).signature).toMatchObject({ mode: 'report', outcome: 'no_match', canonical: `${ts}:` });
      expect(log).not.toContain(SECRET);
      expect(log).not.toContain(wrong);
    } finally {
      await app.close();
    }
  });
});

describe.each(sqlBackends().filter((backend) => backend === 'postgres'))('the signature report across nodes (%s)', (backend) => {
  let first: RunningServer;
  let second: RunningServer;
  beforeAll(async () => {
    const env = { FINCH_SIGNING_SECRET: SECRET, FINCH_SIGNATURE_MODE: 'report' };
    first = await startServer(backend, { env });
    second = await startServer(backend, { env, databaseUrl: first.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('adds up mismatches counted at once on two nodes, and either node shows them', async () => {
    const ts = seconds();
    const bad = { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': sign('nothing', ts) };
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => finGet(i % 2 ? first : second, `/user?user_id=user_${i}`, bad)));
    // Accepted, each of them: the users do not exist.
    expect(answers.map((answer) => answer.status)).toEqual(Array(16).fill(404));
    for (const node of [first, second]) {
      const admin = await AgentClient.signIn(node.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
      const { body } = await admin.get('/settings/fin/signature-report');
      expect(body.total).toBe(16);
      expect(new Set(body.recent.map((entry: { canonical: string }) => entry.canonical)).size).toBe(16);
    }
  });
});

describe.each(sqlBackends())('FINCH_SIGNATURE_MODE=enforce on %s', (backend) => {
  for (const [label, env] of [
    ['set explicitly', { FINCH_SIGNING_SECRET: SECRET, FINCH_SIGNATURE_MODE: 'enforce' }],
    ['the default with a secret', { FINCH_SIGNING_SECRET: SECRET }],
  ] as const) {
    it(`refuses a mis-signed request (401), logs what it tried without the secret, and counts nothing: ${label}`, async () => {
      const server = await startServer(backend, { env });
      try {
        const ts = seconds();
        const wrong = sign('user_id=someone', ts);
        const response = await finGet(server, '/user?user_id=user_x', { 'x-fin-request-timestamp': String(ts), 'x-fin-signature': wrong });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'signature_invalid' });
        const refused = warnings(server).filter((line) => line.msg === 'request signature refused');
        expect(refused).toHaveLength(1);
        expect(refused[0]!.signature).toEqual({
          mode: 'enforce',
          outcome: 'no_match',
          canonical: `${ts}:user_id=user_x`,
          matched_form: null,
          tried_forms: ['query'],
          digest: 'hex',
        });
        expect(server.log()).not.toContain(SECRET);
        expect(server.log()).not.toContain(wrong);
        const admin = await AgentClient.signIn(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
        expect((await admin.get('/settings/fin/signature-report')).body).toEqual({ mode: 'enforce', total: 0, since: null, recent: [] });
      } finally {
        await server.close();
      }
    });
  }

  it('reports mode off without a signing secret', async () => {
    const server = await startServer(backend);
    try {
      const admin = await AgentClient.signIn(server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect((await admin.get('/settings/fin/signature-report')).body).toMatchObject({ mode: 'off', total: 0 });
    } finally {
      await server.close();
    }
  });
});
