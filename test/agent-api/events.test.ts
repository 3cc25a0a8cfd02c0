/**
 * The inbox's live view, GET /api/v1/events: a Server-Sent Events stream that names every
 * conversation changed by Fin, by agents, by the outbox (Fin sync failed or recovered) and by the
 * fail-safe, within a second, a burst as few events; on PostgreSQL across Finch servers sharing
 * the database, and again after the listening connection was lost. Streams end when the server
 * closes, and stop being fed when the client goes away. A stream ends with what opened it: a
 * session signed out, expired or ended, a token revoked, an agent deactivated, here or on another
 * server.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/auth/credentials.js';
import { hashToken } from '../../src/domain/auth/secrets.js';
import { routeFinConversationsToPeople } from '../../src/domain/fin-unreachable.js';
import type { Agent } from '../../src/domain/model.js';
import { openFinch, type Finch } from '../../src/finch.js';
import type { EventResolution } from '../../src/store/outbox-port.js';
import { LISTENER_APPLICATION_NAME } from '../../src/store/sql/change-feed.js';
import { writeTransaction } from '../../src/store/sql/database.js';
import { AgentClient } from '../support/agent-client.js';
import { attempt } from '../support/delivery-attempt.js';
import { EventStreamClient, idsOf } from '../support/event-stream.js';
import { sqlBackends, startTestFinch, type TestFinch, type TestFinchOptions } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

const FIN: TestFinchOptions = { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } };

const eventsUrl = (finch: TestFinch) => `${finch.baseUrl}/api/v1/events`;

/** The number of subscribers to the process's change feed (to see that a stream let go). */
const subscribersOf = (finch: TestFinch) => (finch.database!.changes as unknown as { subscribers: Set<unknown> }).subscribers.size;

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(sqlBackends())('the inbox event stream on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let fin: Agent;
  let asHana: AgentClient;
  let stream: EventStreamClient;

  beforeAll(async () => {
    // A window wide enough that a burst of concurrent requests falls into it on a loaded machine.
    finch = await startTestFinch(backend, { ...FIN, eventCoalesceMs: 200 });
    hana = await makeAgent(finch, 'Hana');
    fin = await finch.store.findFinAgent();
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    stream = await EventStreamClient.connect(eventsUrl(finch), asHana.authHeaders());
  });
  afterAll(async () => {
    stream?.close();
    await finch?.close();
  });

  it('answers with an unbuffered event stream that starts with ready', async () => {
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    const first = await stream.next(() => true);
    expect(first.event).toBe('ready');
    // The stream is an open inbox for presence: it names its connection (for PUT /me/viewing).
    expect(JSON.parse(first.data)).toEqual({ connection_id: expect.stringMatching(/^conn_/) });
  });

  it('names a conversation Fin creates through the Fin API', async () => {
    const from = stream.mark();
    const conversation = await finConversation(finch, 'Where is my parcel?');
    await stream.changeOf(conversation.id, { from });
  });

  it('names a conversation Fin posts a message to', async () => {
    const conversation = await finConversation(finch);
    const from = stream.mark();
    const posted = await finch
      .client('rest')
      .call('create_message', { conversation_id: conversation.id, body: 'From Fin', author: { id: fin.id, user_type: 'agent' } });
    expect(posted.status).toBe(201);
    await stream.changeOf(conversation.id, { from });
  });

  it('names a conversation an agent replies to', async () => {
    const conversation = await finConversation(finch);
    const from = stream.mark();
    expect((await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>On it</p>' })).status).toBe(201);
    await stream.changeOf(conversation.id, { from });
  });

  it('names a conversation an agent takes over, then resolves', async () => {
    const conversation = await finConversation(finch);
    const takenFrom = stream.mark();
    expect((await asHana.post(`/conversations/${conversation.id}/takeover`)).status).toBe(200);
    await stream.changeOf(conversation.id, { from: takenFrom });
    const resolvedFrom = stream.mark();
    expect((await asHana.patch(`/conversations/${conversation.id}`, { status: 'resolved' })).status).toBe(200);
    await stream.changeOf(conversation.id, { from: resolvedFrom });
  });

  it('names a conversation whose notification to Fin died, and again once one is delivered', async () => {
    const conversation = await finConversation(finch);
    await asHana.post(`/conversations/${conversation.id}/takeover`);
    const outbox = finch.finch!.outbox;
    /** The conversation's due sync event, claimed as a dispatcher would, and resolved. */
    const settle = async (resolution: EventResolution) => {
      const now = finch.clock.now();
      const claimed = await outbox.claimDue('test', now.toISOString(), new Date(now.getTime() + 60_000).toISOString(), 1000);
      const event = claimed.find((e) => e.conversationId === conversation.id);
      expect(event).toBeDefined();
      await outbox.resolve(event!, resolution, attempt(event!, now.toISOString(), resolution.status === 'delivered' ? 'delivered' : 'dead'), now.toISOString());
    };

    const diedFrom = stream.mark();
    await settle({ status: 'dead', error: 'HTTP 500' });
    await stream.changeOf(conversation.id, { from: diedFrom });
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation.fin_sync.ok).toBe(false);

    await asHana.patch(`/conversations/${conversation.id}`, { title: 'Retitled' });
    const deliveredFrom = stream.mark();
    await settle({ status: 'delivered' });
    await stream.changeOf(conversation.id, { from: deliveredFrom });
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation.fin_sync.ok).toBe(true);
  });

  it('names every conversation the fail-safe routes to people, in one event', async () => {
    const since = finch.clock.now().toISOString();
    const held = [await finConversation(finch), await finConversation(finch), await finConversation(finch)].map((c) => c.id);
    const from = stream.mark();
    const routed = await routeFinConversationsToPeople(finch.finch!, since, finch.clock.now().toISOString());
    expect(routed).toEqual(expect.arrayContaining(held));
    // The conversations' own creation may still be on its way (NOTIFY is asynchronous); the
    // fail-safe's one transaction must arrive as one event naming all three.
    await stream.next((event) => event.event === 'conversations' && held.every((id) => idsOf(event).includes(id)), { from });
  });

  it('names a conversation written outside a transaction, and nothing for a transaction that failed', async () => {
    const conversation = await finConversation(finch);
    const from = stream.mark();
    const failed = writeTransaction(finch.database!, async (_trx, changed) => {
      changed.add('conv_rolled_back');
      throw new Error('rolled back');
    });
    await expect(failed).rejects.toThrow('rolled back');
    await finch.finch!.store.updateConversation(conversation.id, { title: 'Written directly' }, finch.clock.now().toISOString());
    await stream.changeOf(conversation.id, { from });
    // Announced in commit order: had the failed one been announced, it would have come first.
    expect(
      stream.events
        .slice(from)
        .filter((event) => event.event === 'conversations')
        .flatMap(idsOf),
    ).not.toContain('conv_rolled_back');
  });

  it('coalesces a burst of changes into fewer events', async () => {
    const created = stream.mark();
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await finConversation(finch)).id));
    // Let the creations' own events arrive first, so that only the burst of takeovers is counted.
    await Promise.all(ids.map((id) => stream.changeOf(id, { from: created })));
    const from = stream.mark();
    await Promise.all(ids.map((id) => asHana.post(`/conversations/${id}/takeover`)));
    await Promise.all(ids.map((id) => stream.changeOf(id, { from })));
    const events = stream.events.slice(from).filter((event) => event.event === 'conversations');
    expect(events.length).toBeLessThan(ids.length);
  });

  it('accepts a personal API token', async () => {
    const { token } = await createApiToken(finch.credentials, { name: 'inbox script', scope: 'agent', agentId: hana.id }, finch.clock.now());
    const script = await EventStreamClient.connect(eventsUrl(finch), { authorization: `Bearer ${token}` });
    try {
      expect(script.response.status).toBe(200);
      await script.next((event) => event.event === 'ready');
      const conversation = await finConversation(finch);
      await script.changeOf(conversation.id);
    } finally {
      script.close();
    }
  });

  it.each([
    ['no credentials', {}],
    ['a session cookie that is not one', { cookie: 'finch_session=fss_nope' }],
    ["Fin's token", 'fin'],
  ] as const)('refuses %s with a problem', async (_label, headers) => {
    const status = headers === 'fin' ? 403 : 401;
    const refused = await fetch(eventsUrl(finch), {
      headers: { accept: 'text/event-stream', ...(headers === 'fin' ? { authorization: `Bearer ${finch.token}` } : headers) },
    });
    expect(refused.status).toBe(status);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status, title: expect.any(String), code: expect.any(String) });
  });

  it('stops following changes when the client goes away', async () => {
    const before = subscribersOf(finch);
    const visitor = await EventStreamClient.connect(eventsUrl(finch), asHana.authHeaders());
    await visitor.next((event) => event.event === 'ready');
    expect(subscribersOf(finch)).toBe(before + 1);
    visitor.close();
    await until(() => subscribersOf(finch) === before);
  });
});

describe('an idle event stream', () => {
  it('gets a keep-alive comment now and then, so proxies do not drop it', async () => {
    const finch = await startTestFinch('sqlite', { eventKeepAliveMs: 100 });
    try {
      const agent = await makeAgent(finch, 'Ida');
      const asIda = await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
      const idle = await EventStreamClient.connect(eventsUrl(finch), asIda.authHeaders());
      try {
        const from = idle.mark();
        const first = await idle.next((event) => event.event === 'comment', { from });
        const second = await idle.next((event) => event.event === 'comment' && event !== first, { from });
        expect([first.data, second.data]).toEqual(['keep-alive', 'keep-alive']);
        // Comments only: EventSource ignores them, so the inbox reads nothing again.
        expect(idle.events.filter((event) => event.event === 'conversations')).toEqual([]);
      } finally {
        idle.close();
      }
    } finally {
      await finch.close();
    }
  });
});

describe.each(sqlBackends())('closing a server with open event streams on %s', (backend) => {
  it('ends them, rather than waiting for them to end', async () => {
    const finch = await startTestFinch(backend);
    const agent = await makeAgent(finch, 'Nora');
    const asNora = await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
    const streams = await Promise.all([1, 2].map(() => EventStreamClient.connect(eventsUrl(finch), asNora.authHeaders())));
    await Promise.all(streams.map((stream) => stream.next((event) => event.event === 'ready')));
    // Without ending them first, closing would wait for the streams forever (the test's timeout).
    await finch.close();
    await Promise.all(streams.map((stream) => stream.ended));
  });
});

describe.runIf(sqlBackends().includes('postgres'))('event streams across Finch servers on one PostgreSQL database', () => {
  let a: TestFinch;
  let b: TestFinch;
  let asHanaOnA: AgentClient;
  let streamOnB: EventStreamClient;

  beforeAll(async () => {
    a = await startTestFinch('postgres', FIN);
    b = await startTestFinch('postgres', { ...FIN, databaseUrl: a.databaseUrl! });
    const hana = await makeAgent(a, 'Hana');
    asHanaOnA = await AgentClient.signIn(a.baseUrl, hana.email, PASSWORD);
    const asHanaOnB = await AgentClient.signIn(b.baseUrl, hana.email, PASSWORD);
    streamOnB = await EventStreamClient.connect(eventsUrl(b), asHanaOnB.authHeaders());
    await streamOnB.next((event) => event.event === 'ready');
  });
  afterAll(async () => {
    streamOnB?.close();
    await b?.close();
    await a?.close();
  });

  const mark = () => streamOnB.mark();
  const received = (from: number) =>
    streamOnB.events
      .slice(from)
      .filter((event) => event.event === 'conversations')
      .flatMap(idsOf);

  it('tells a client of server B of changes made through server A', async () => {
    const from = mark();
    const conversation = await finConversation(a);
    await streamOnB.changeOf(conversation.id, { from });
    const repliedFrom = mark();
    expect((await asHanaOnA.post(`/conversations/${conversation.id}/messages`, { body: '<p>Hello from A</p>' })).status).toBe(201);
    await streamOnB.changeOf(conversation.id, { from: repliedFrom });
  });

  it('splits the ids of a large transaction over several notifications, losing none', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `conv_${String(i).padStart(26, '0')}`);
    const from = mark();
    await writeTransaction(a.database!, async (_trx, changed) => {
      for (const id of ids) changed.add(id);
    });
    await until(() => received(from).length >= ids.length);
    expect(received(from).sort()).toEqual(ids);
  });

  it('listens again after losing its connection, and sends ready so the inbox reads everything again', async () => {
    const from = mark();
    // Server B's: server A has had no subscriber, so it has not listened yet.
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where application_name = ${LISTENER_APPLICATION_NAME} and datname = current_database()`.execute(a.database!.db);
    expect(rows).toHaveLength(1);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${LISTENER_APPLICATION_NAME} and datname = current_database()`.execute(
      a.database!.db,
    );
    await streamOnB.next((event) => event.event === 'ready', { from, timeoutMs: 5000 });
    const conversation = await finConversation(a);
    await streamOnB.changeOf(conversation.id, { from });
  });
});

describe('event streams on SQLite when another process writes the file', () => {
  let finch: TestFinch;
  let worker: Finch;
  let stream: EventStreamClient;

  beforeAll(async () => {
    finch = await startTestFinch('sqlite', FIN);
    // As `finch worker` would: its own connection to the same file.
    worker = await openFinch({ dataDir: path.dirname(finch.database!.location), databaseUrl: undefined, dbPoolSize: 1 });
    const ida = await makeAgent(finch, 'Ida');
    const asIda = await AgentClient.signIn(finch.baseUrl, ida.email, PASSWORD);
    stream = await EventStreamClient.connect(eventsUrl(finch), asIda.authHeaders());
    await stream.next((event) => event.event === 'ready');
  });
  afterAll(async () => {
    stream?.close();
    await worker?.close();
    await finch?.close();
  });

  it('sends ready (read everything again) once the other process has committed', async () => {
    const since = finch.clock.now().toISOString();
    const conversation = await finConversation(finch);
    const from = stream.mark();
    const routed = await routeFinConversationsToPeople(worker, since, finch.clock.now().toISOString());
    expect(routed).toContain(conversation.id);
    await stream.next((event) => event.event === 'ready', { from, timeoutMs: 2000 });
  });

  it("says nothing more for this process's own changes, which it names", async () => {
    const conversation = await finConversation(finch);
    const from = stream.mark();
    await finch.finch!.store.updateConversation(conversation.id, { title: 'Retitled here' }, finch.clock.now().toISOString());
    await stream.changeOf(conversation.id, { from });
    // Longer than the feed takes to look at the file twice.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(stream.events.slice(from).filter((event) => event.event === 'ready')).toEqual([]);
  });
});

/** Resolves when the server has ended the stream, or fails after `ms`. */
async function endsWithin(stream: EventStreamClient, ms: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stream.ended,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the stream was still open after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
  return performance.now() - started;
}

const sessionTokenOf = (client: AgentClient) => decodeURIComponent((client as unknown as { cookie: string }).cookie.split('=')[1]!);

/** The stream's own recheck (5 s) plus room for a loaded machine. */
const RECHECK_WAIT_MS = 9000;

describe.each(sqlBackends())('an event stream lives no longer than its credentials on %s', (backend) => {
  let finch: TestFinch;
  let asAdmin: AgentClient;
  let count = 0;

  beforeAll(async () => {
    finch = await startTestFinch(backend, FIN);
    const admin = await makeAgent(finch, 'Ada Admin', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  /** A new agent signed in, with an open stream that has said ready. */
  async function streaming(via: 'session' | 'token' = 'session') {
    const agent = await makeAgent(finch, `Streamer ${++count}`);
    const client =
      via === 'session'
        ? await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD)
        : new AgentClient(
            finch.baseUrl,
            (await createApiToken(finch.credentials, { name: 'script', scope: 'agent', agentId: agent.id }, finch.clock.now())).token,
          );
    const stream = await EventStreamClient.connect(eventsUrl(finch), client.authHeaders());
    expect(stream.response.status).toBe(200);
    await stream.next((event) => event.event === 'ready');
    return { agent, client, stream };
  }

  it('ends at once when its session signs out, and the stream cannot be opened again', async () => {
    const { client, stream } = await streaming();
    const headers = client.authHeaders();
    expect((await client.delete('/session')).status).toBe(204);
    await endsWithin(stream, 1500);
    const again = await EventStreamClient.connect(eventsUrl(finch), headers);
    expect(again.response.status).toBe(401);
    again.close();
  });

  it('ends at once when the agent is deactivated, whether opened with a session or a token', async () => {
    const { agent, client, stream } = await streaming();
    const token = await createApiToken(finch.credentials, { name: 'script', scope: 'agent', agentId: agent.id }, finch.clock.now());
    const viaToken = await EventStreamClient.connect(eventsUrl(finch), new AgentClient(finch.baseUrl, token.token).authHeaders());
    await viaToken.next((event) => event.event === 'ready');
    expect((await asAdmin.patch(`/agents/${agent.id}`, { active: false })).status).toBe(200);
    await Promise.all([endsWithin(stream, 1500), endsWithin(viaToken, 1500)]);
    expect((await client.get('/session')).status).toBe(401);
  });

  it('ends at once when its token is revoked', async () => {
    const { agent, stream } = await streaming('token');
    const [token] = (await asAdmin.get<{ id: string; agent_id: string | null }[]>('/tokens')).body.filter((listed) => listed.agent_id === agent.id);
    expect((await asAdmin.delete(`/tokens/${token!.id}`)).status).toBe(204);
    await endsWithin(stream, 1500);
  });

  it("ends the other sessions' streams when the password changes, and keeps the one that changed it", async () => {
    const { agent, client, stream } = await streaming();
    const other = await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
    const otherStream = await EventStreamClient.connect(eventsUrl(finch), other.authHeaders());
    await otherStream.next((event) => event.event === 'ready');
    expect((await client.post('/me/password', { current_password: PASSWORD, new_password: 'velvet arcade pinecone 93' })).status).toBe(204);
    await endsWithin(otherStream, 1500);
    const from = stream.mark();
    const conversation = await finConversation(finch);
    await stream.changeOf(conversation.id, { from, timeoutMs: 3000 });
    stream.close();
  });

  it('ends when its session expires, within a few seconds', async () => {
    const { stream } = await streaming();
    finch.clock.advance(12 * 3_600_000 + 1000);
    try {
      await endsWithin(stream, RECHECK_WAIT_MS);
    } finally {
      finch.clock.advance(-(12 * 3_600_000 + 1000));
    }
  });

  it('ends within a few seconds when its session is ended by another process (here, straight in the store)', async () => {
    const { client, stream } = await streaming();
    await finch.finch!.accounts.revokeSession(hashToken(sessionTokenOf(client)), finch.clock.now().toISOString());
    await endsWithin(stream, RECHECK_WAIT_MS);
  });

  it('sends no conversation ids once its session has ended, even before its next check', async () => {
    const { agent, stream } = await streaming();
    // Longer than a batch may go out on an earlier check.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await finch.finch!.accounts.revokeSessionsOf(agent.id, finch.clock.now().toISOString());
    const conversation = await finConversation(finch);
    const waited = await endsWithin(stream, 3000);
    expect(waited).toBeLessThan(3000);
    expect(stream.events.filter((event) => event.event === 'conversations').flatMap(idsOf)).not.toContain(conversation.id);
  });
});

describe.runIf(sqlBackends().includes('postgres'))('event streams end when their credentials end on another Finch server (PostgreSQL)', () => {
  let a: TestFinch;
  let b: TestFinch;

  beforeAll(async () => {
    a = await startTestFinch('postgres', FIN);
    b = await startTestFinch('postgres', { ...FIN, databaseUrl: a.databaseUrl! });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('ends streams on server A after a sign-out, a deactivation, a token revocation and a password change on server B', async () => {
    const admin = await makeAgent(a, 'Ada Admin', 'admin');
    const adminOnB = await AgentClient.signIn(b.baseUrl, admin.email, PASSWORD);
    const [leaving, revoking, changing, signingOut] = await Promise.all(['Leaving', 'Revoking', 'Changing', 'Signing Out'].map((name) => makeAgent(a, name)));
    const open = async (client: AgentClient) => {
      const stream = await EventStreamClient.connect(eventsUrl(a), client.authHeaders());
      await stream.next((event) => event.event === 'ready');
      return stream;
    };

    const signingOutOnB = await AgentClient.signIn(b.baseUrl, signingOut!.email, PASSWORD);
    const signedOutStream = await open(signingOutOnB);
    const leavingStream = await open(await AgentClient.signIn(a.baseUrl, leaving!.email, PASSWORD));
    const token = await createApiToken(a.credentials, { name: 'script', scope: 'agent', agentId: revoking!.id }, a.clock.now());
    const revokedStream = await open(new AgentClient(a.baseUrl, token.token));
    const changedStream = await open(await AgentClient.signIn(a.baseUrl, changing!.email, PASSWORD));
    const changingOnB = await AgentClient.signIn(b.baseUrl, changing!.email, PASSWORD);

    expect((await signingOutOnB.delete('/session')).status).toBe(204);
    expect((await adminOnB.patch(`/agents/${leaving!.id}`, { active: false })).status).toBe(200);
    expect((await adminOnB.delete(`/tokens/${token.id}`)).status).toBe(204);
    expect((await changingOnB.post('/me/password', { current_password: PASSWORD, new_password: 'velvet arcade pinecone 93' })).status).toBe(204);

    await Promise.all([signedOutStream, leavingStream, revokedStream, changedStream].map((stream) => endsWithin(stream, RECHECK_WAIT_MS)));
  });
});
