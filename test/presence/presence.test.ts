/**
 * Presence (issue 12, item 1) over real HTTP on both databases: an open inbox (its event stream)
 * makes its agent online, `PUT /me/presence` away and back, closing it offline; `GET /agents`
 * shows each agent's presence, open conversations and capacity; the inbox's own idle away never
 * overrides a chosen one; two Finch nodes on one PostgreSQL see each other's inboxes; a dead
 * node's connections count for nothing once expired, and the expiry job ends them; open inboxes
 * hear `team` when someone's presence changes; the router is woken when someone comes online.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { CONNECTION_TTL_MS } from '../../src/domain/presence/presence.js';
import { PresenceExpiryJob } from '../../src/jobs/presence-expiry.js';
import { AgentClient } from '../support/agent-client.js';
import { EventStreamClient } from '../support/event-stream.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { openInbox, until } from './support.js';

const presenceIn = async (as: AgentClient, agentId: string) =>
  (await as.get<{ id: string; presence?: string }[]>('/agents')).body.find((agent) => agent.id === agentId)?.presence;

describe.each(sqlBackends())('presence on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let ivo: Agent;
  let boss: Agent;
  let asHana: AgentClient;
  let asIvo: AgentClient;
  let asBoss: AgentClient;
  let wakes = 0;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { routingNeeded: () => wakes++ });
    hana = await makeAgent(finch, 'Hana');
    ivo = await makeAgent(finch, 'Ivo');
    boss = await makeAgent(finch, 'Boss', 'admin');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    asIvo = await AgentClient.signIn(finch.baseUrl, ivo.email, PASSWORD);
    asBoss = await AgentClient.signIn(finch.baseUrl, boss.email, PASSWORD);
  });
  afterAll(async () => {
    await finch?.close();
  });

  it('is offline with no inbox open, online once one is, offline again when it closes', async () => {
    expect(await presenceIn(asIvo, hana.id)).toBe('offline');
    expect((await asHana.get('/me/presence')).body).toEqual({ status: 'offline', chosen: 'online', automatic: false, away_after_minutes: 10 });
    const wakesBefore = wakes;
    const { stream } = await openInbox(finch, asHana);
    expect(await presenceIn(asIvo, hana.id)).toBe('online');
    expect((await asHana.get('/me/presence')).body.status).toBe('online');
    // Coming online may let routing give Hana waiting conversations.
    expect(wakes).toBe(wakesBefore + 1);
    stream.close();
    await until(async () => (await presenceIn(asIvo, hana.id)) === 'offline');
  });

  it('counts an agent online while any of their inboxes is open', async () => {
    const first = await openInbox(finch, asHana);
    const second = await openInbox(finch, asHana);
    first.stream.close();
    await until(async () => (await finch.finch!.presence.liveConnections(hana.id, finch.clock.now().toISOString())) === 1);
    expect(await presenceIn(asIvo, hana.id)).toBe('online');
    second.stream.close();
    await until(async () => (await presenceIn(asIvo, hana.id)) === 'offline');
  });

  it('sets away and back with PUT /me/presence, told live to every open inbox', async () => {
    const hanas = await openInbox(finch, asHana);
    const ivos = await openInbox(finch, asIvo);
    try {
      const from = ivos.stream.mark();
      const away = await asHana.put('/me/presence', { status: 'away' });
      expect(away.status).toBe(200);
      expect(away.body).toEqual({ status: 'away', chosen: 'away', automatic: false, away_after_minutes: 10 });
      expect(await presenceIn(asIvo, hana.id)).toBe('away');
      await ivos.stream.next((event) => event.event === 'team' && event.data === '{}', { from });
      const wakesBefore = wakes;
      expect((await asHana.put('/me/presence', { status: 'online' })).body.status).toBe('online');
      expect(wakes).toBe(wakesBefore + 1);
      expect(await presenceIn(asIvo, hana.id)).toBe('online');
    } finally {
      hanas.stream.close();
      ivos.stream.close();
    }
  });

  it('lets the inbox go away when idle and come back, but never out of an away the agent chose', async () => {
    const { stream } = await openInbox(finch, asHana);
    try {
      expect((await asHana.put('/me/presence', { status: 'away', automatic: true })).body).toMatchObject({ status: 'away', automatic: true });
      expect((await asHana.put('/me/presence', { status: 'online', automatic: true })).body).toMatchObject({ status: 'online', automatic: false });
      // Chosen away: the inbox's activity does not end it.
      await asHana.put('/me/presence', { status: 'away' });
      expect((await asHana.put('/me/presence', { status: 'online', automatic: true })).body).toMatchObject({ status: 'away', automatic: false });
      expect((await asHana.put('/me/presence', { status: 'away', automatic: true })).body).toMatchObject({ status: 'away', automatic: false });
      expect((await asHana.put('/me/presence', { status: 'online' })).body).toMatchObject({ status: 'online' });
    } finally {
      stream.close();
    }
  });

  it('counts no stream opened with a personal token: a script is not the agent at work', async () => {
    const token = (await asIvo.post('/tokens', { name: 'script' })).body.token as string;
    const script = await EventStreamClient.connect(`${finch.baseUrl}/api/v1/events`, { authorization: `Bearer ${token}` });
    try {
      const ready = await script.next((event) => event.event === 'ready');
      expect(ready.data).toBe('{}');
      expect(await presenceIn(asHana, ivo.id)).toBe('offline');
    } finally {
      script.close();
    }
  });

  it('refuses what is not online or away', async () => {
    for (const body of [{ status: 'offline' }, { status: 'busy' }, {}, { status: 'online', extra: 1 }]) {
      const refused = await asHana.put('/me/presence', body);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
    }
  });

  it('shows open conversations and capacity in the team list; Fin has none of it', async () => {
    const conversation = await finConversation(finch);
    expect((await asIvo.post(`/conversations/${conversation.id}/takeover`)).status).toBeLessThan(300);
    await finch.database!.db.updateTable('agents').set({ capacity: 7 }).where('id', '=', ivo.id).execute();
    const agents = (await asBoss.get<Record<string, unknown>[]>('/agents')).body;
    expect(agents.find((agent) => agent.id === ivo.id)).toMatchObject({ presence: 'offline', open_conversations: 1, capacity: 7 });
    expect(agents.find((agent) => agent.id === hana.id)).toMatchObject({ open_conversations: 0, capacity: null });
    const fin = agents.find((agent) => agent.is_fin === true)!;
    expect(fin).not.toHaveProperty('presence');
    expect(fin).not.toHaveProperty('open_conversations');
  });

  it('counts a dead node’s inbox as gone once its connection expired; the expiry job ends it and says so', async () => {
    const now = finch.clock.now();
    // A node that crashed leaves its row behind: nobody deletes it.
    await finch.finch!.presence.openConnection({
      id: 'conn_dead',
      agentId: hana.id,
      node: 'dead-node',
      at: now.toISOString(),
      expiresAt: new Date(now.getTime() + CONNECTION_TTL_MS).toISOString(),
    });
    expect(await presenceIn(asIvo, hana.id)).toBe('online');
    const ivos = await openInbox(finch, asIvo);
    try {
      finch.clock.advance(CONNECTION_TTL_MS + 1);
      expect(await presenceIn(asIvo, hana.id)).toBe('offline');
      const from = ivos.stream.mark();
      let routerWoken = 0;
      const job = new PresenceExpiryJob({ presence: finch.finch!.presence, onOffline: () => routerWoken++ });
      // Ivo's own stream expired too by the moved clock: the job takes both.
      const outcome = await job.run(finch.clock.now());
      expect(outcome).toMatchObject({ ended: 2, offline: 2 });
      // Hana and Ivo went offline: the router may return their conversations.
      expect(routerWoken).toBe(1);
      expect(await job.run(finch.clock.now())).toEqual({ ended: 0 });
      await ivos.stream.next((event) => event.event === 'team', { from });
      expect(await finch.database!.db.selectFrom('agent_connections').select('id').where('id', '=', 'conn_dead').execute()).toEqual([]);
    } finally {
      ivos.stream.close();
    }
  });

  it('keeps the idle time as an admin setting', async () => {
    expect((await asHana.get('/settings/presence')).body).toEqual({ away_after_minutes: 10 });
    const refused = await asHana.put('/settings/presence', { away_after_minutes: 3 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await asBoss.put('/settings/presence', { away_after_minutes: 3 })).body).toEqual({ away_after_minutes: 3 });
    expect((await asHana.get('/me/presence')).body.away_after_minutes).toBe(3);
    expect((await asBoss.put('/settings/presence', { away_after_minutes: -1 })).status).toBe(400);
    await asBoss.put('/settings/presence', { away_after_minutes: 10 });
  });

  // Only SQLite can be made to refuse writes from inside the test (query_only); registered, not skipped, elsewhere.
  if (backend === 'sqlite')
    it('answers 503 with Retry-After while the database refuses writes', async () => {
      const { stream, connectionId } = await openInbox(finch, asHana);
      const conversation = await finConversation(finch);
      const { db } = finch.database!;
      await sql`pragma query_only = 1`.execute(db);
      try {
        for (const response of [
          await asHana.put('/me/presence', { status: 'away' }),
          await asHana.put('/me/viewing', { connection_id: connectionId, conversation_id: conversation.id }),
          await asBoss.put('/settings/presence', { away_after_minutes: 5 }),
          await asHana.post(`/conversations/${conversation.id}/typing`),
        ]) {
          expect(response.status).toBe(503);
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(response.body).toMatchObject({ code: 'database_unavailable' });
        }
        // An inbox cannot be counted: its stream is refused, to be opened again.
        const refused = await EventStreamClient.connect(`${finch.baseUrl}/api/v1/events`, asIvo.authHeaders());
        expect(refused.response.status).toBe(503);
        expect(refused.response.headers.get('retry-after')).toBe('5');
        refused.close();
      } finally {
        await sql`pragma query_only = 0`.execute(db);
        stream.close();
      }
      expect((await asHana.get('/me/presence')).body.chosen).toBe('online');
    });

  it('needs the CSRF token to change presence with the session cookie', async () => {
    const refused = await asHana.request('PUT', '/me/presence', { status: 'away' }, { csrf: false });
    expect(refused.status).toBe(403);
    expect((await asHana.get('/me/presence')).body.chosen).toBe('online');
  });
});

describe.runIf(sqlBackends().includes('postgres'))('presence across two Finch nodes on one PostgreSQL', () => {
  let a: TestFinch;
  let b: TestFinch;
  let hana: Agent;
  let asHanaOnA: AgentClient;
  let asHanaOnB: AgentClient;

  beforeAll(async () => {
    a = await startTestFinch('postgres');
    b = await startTestFinch('postgres', { databaseUrl: a.databaseUrl });
    hana = await makeAgent(a, 'Hana');
    asHanaOnA = await AgentClient.signIn(a.baseUrl, hana.email, PASSWORD);
    asHanaOnB = await AgentClient.signIn(b.baseUrl, hana.email, PASSWORD);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('ends a closing node’s inboxes at once: the agent is offline on the other node without waiting for expiry', async () => {
    const c = await startTestFinch('postgres', { databaseUrl: a.databaseUrl });
    const ivo = await makeAgent(a, 'Ivo C');
    const asIvoOnC = await AgentClient.signIn(c.baseUrl, ivo.email, PASSWORD);
    const { stream } = await openInbox(c, asIvoOnC);
    const asIvoOnB = await AgentClient.signIn(b.baseUrl, ivo.email, PASSWORD);
    expect((await asIvoOnB.get('/me/presence')).body.status).toBe('online');
    await c.close();
    stream.close();
    expect((await asIvoOnB.get('/me/presence')).body.status).toBe('offline');
  });

  it('shows on node B an inbox open on node A, and its going away and offline', async () => {
    const watcher = await openInbox(b, asHanaOnB);
    const { stream } = await openInbox(a, asHanaOnA);
    try {
      watcher.stream.close();
      await until(async () => (await a.finch!.presence.liveConnections(hana.id, a.clock.now().toISOString())) === 1);
      expect((await asHanaOnB.get('/me/presence')).body.status).toBe('online');
      const ivo = await makeAgent(a, 'Ivo');
      const asIvoOnB = await AgentClient.signIn(b.baseUrl, ivo.email, PASSWORD);
      const ivos = await openInbox(b, asIvoOnB);
      const from = ivos.stream.mark();
      await asHanaOnA.put('/me/presence', { status: 'away' });
      // Node B's inbox hears it through PostgreSQL.
      await ivos.stream.next((event) => event.event === 'team', { from, timeoutMs: 3000 });
      expect(await presenceIn(asIvoOnB, hana.id)).toBe('away');
      stream.close();
      await until(async () => (await presenceIn(asIvoOnB, hana.id)) === 'offline');
      ivos.stream.close();
    } finally {
      stream.close();
    }
  });
});
