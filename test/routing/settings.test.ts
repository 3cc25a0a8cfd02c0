/**
 * Routing's settings and agents' capacity over the agent API, on SQLite and PostgreSQL: who may
 * read and change them (any agent reads, admins change; a cookie needs the CSRF token), the body
 * exactly as the issue spells it (problem JSON for anything else), defaults (mode off), the
 * capacity override and its reset, the Fin agent refused, and 503 with Retry-After while the
 * database refuses writes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

describe.each(sqlBackends())('routing settings and capacity on %s', (backend) => {
  let finch: TestFinch;
  let asAdmin: AgentClient;
  let asAgent: AgentClient;
  let agentId: string;
  let woken = 0;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { routingNeeded: () => woken++ });
    const admin = await makeAgent(finch, 'Ada Admin', 'admin');
    const agent = await makeAgent(finch, 'Sam Agent');
    agentId = agent.id;
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
    asAgent = await AgentClient.signIn(finch.baseUrl, agent.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('reads the defaults (routing off) for any agent, and lets only an admin change them', async () => {
    const defaults = await asAgent.get('/settings/routing');
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({ mode: 'off', capacity: 5, reassign_when_away: false });

    const body = { mode: 'round_robin', capacity: 7, reassign_when_away: true };
    const refused = await asAgent.put('/settings/routing', body);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await asAdmin.request('PUT', '/settings/routing', body, { csrf: false })).status).toBe(403);
    expect((await asAgent.get('/settings/routing')).body.mode).toBe('off');

    const before = woken;
    const saved = await asAdmin.put('/settings/routing', body);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(body);
    expect(woken).toBe(before + 1);
    expect((await asAgent.get('/settings/routing')).body).toEqual(body);
  });

  it("takes exactly the issue's body: problem JSON for a missing or unknown field, a bad mode or capacity", async () => {
    for (const bad of [
      { mode: 'balanced', capacity: 3 },
      { mode: 'fastest', capacity: 3, reassign_when_away: false },
      { mode: 'balanced', capacity: -1, reassign_when_away: false },
      { mode: 'balanced', capacity: 1.5, reassign_when_away: false },
      { mode: 'balanced', capacity: 1001, reassign_when_away: false },
      { mode: 'balanced', capacity: 3, reassign_when_away: false, extra: 1 },
    ]) {
      const response = await asAdmin.put('/settings/routing', bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it("sets and resets an agent's capacity (admin), refuses it for Fin, and wakes routing", async () => {
    const before = woken;
    const set = await asAdmin.patch(`/agents/${agentId}`, { capacity: 2 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: agentId, capacity: 2 });
    expect(woken).toBe(before + 1);
    const stored = async () => (await finch.database!.db.selectFrom('agents').select('capacity').where('id', '=', agentId).executeTakeFirstOrThrow()).capacity;
    expect(await stored()).toBe(2);
    expect((await asAdmin.patch(`/agents/${agentId}`, { capacity: null })).body.capacity).toBeNull();
    expect(await stored()).toBeNull();

    expect((await asAgent.patch(`/agents/${agentId}`, { capacity: 9 })).status).toBe(403);
    expect((await asAdmin.request('PATCH', `/agents/${agentId}`, { capacity: 9 }, { csrf: false })).status).toBe(403);
    expect((await asAdmin.patch(`/agents/${agentId}`, { capacity: -1 })).status).toBe(400);
    expect(await stored()).toBeNull();

    const fin = (await asAdmin.get('/agents')).body.find((agent: { is_fin: boolean }) => agent.is_fin);
    const refused = await asAdmin.patch(`/agents/${fin.id}`, { capacity: 3 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'fin_agent' });
  });

  // Only SQLite can be made to refuse writes from inside the test (query_only); registered, not skipped, elsewhere.
  if (backend === 'sqlite')
    it('answers 503 with Retry-After while the database refuses writes', async () => {
      const { db } = finch.database!;
      await sql`pragma query_only = 1`.execute(db);
      try {
        for (const response of [
          await asAdmin.put('/settings/routing', { mode: 'balanced', capacity: 3, reassign_when_away: false }),
          await asAdmin.patch(`/agents/${agentId}`, { capacity: 4 }),
        ]) {
          expect(response.status).toBe(503);
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(response.body).toMatchObject({ code: 'database_unavailable' });
        }
      } finally {
        await sql`pragma query_only = 0`.execute(db);
      }
    });
});
