/**
 * Every answer that carries an agent has one shape, on SQLite and PostgreSQL: GET /agents, POST
 * /agents and PATCH /agents/{id} (whatever its body held) give a person their presence, open
 * conversations and capacity, and the Fin agent none of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

const PERSON = ['active', 'alias', 'capacity', 'created_at', 'email', 'id', 'is_fin', 'name', 'open_conversations', 'photo_url', 'presence', 'role'];
const keys = (value: object) => Object.keys(value).sort();

describe.each(sqlBackends())('the shape of an agent on %s', (backend) => {
  let finch: TestFinch;
  let asAdmin: AgentClient;
  let samId: string;

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    const admin = await makeAgent(finch, 'Ada Admin', 'admin');
    samId = (await makeAgent(finch, 'Sam Agent')).id;
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('is the team list’s in GET /agents, POST /agents and every PATCH /agents/{id}', async () => {
    const listed = await asAdmin.get('/agents');
    expect(listed.status).toBe(200);
    const sam = listed.body.find((agent: { id: string }) => agent.id === samId);
    expect(keys(sam)).toEqual(PERSON);

    const invited = await asAdmin.post('/agents', { name: 'Bea Agent', email: 'bea@example.com' });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(keys(invited.body.agent)).toEqual(PERSON);
    expect(invited.body.agent).toMatchObject({ presence: 'offline', open_conversations: 0, capacity: null });

    for (const patch of [{}, { name: 'Sam Renamed' }, { capacity: 0 }, { alias: 'S.' }, { capacity: null }, { active: false }, { active: true }]) {
      const edited = await asAdmin.patch(`/agents/${samId}`, patch);
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      expect(keys(edited.body), JSON.stringify(patch)).toEqual(PERSON);
    }
    expect((await asAdmin.patch(`/agents/${samId}`, { capacity: 3 })).body.capacity).toBe(3);
    // The capacity set earlier is answered by an edit that does not touch it.
    expect((await asAdmin.patch(`/agents/${samId}`, {})).body).toMatchObject({ capacity: 3, open_conversations: 0, presence: 'offline' });
  });

  it('gives the Fin agent none of a person’s routing fields, in the list and in an edit', async () => {
    const fin = (await asAdmin.get('/agents')).body.find((agent: { is_fin: boolean }) => agent.is_fin);
    expect(fin).toBeDefined();
    const withoutRouting = PERSON.filter((key) => !['capacity', 'open_conversations', 'presence'].includes(key));
    expect(keys(fin)).toEqual(withoutRouting);
    const edited = await asAdmin.patch(`/agents/${fin.id}`, {});
    expect(edited.status).toBe(200);
    expect(keys(edited.body)).toEqual(withoutRouting);
  });
});
