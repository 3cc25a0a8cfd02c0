/** Canned replies through the agent API, on SQLite and PostgreSQL: any agent manages the team's texts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

describe.each(sqlBackends())('canned replies on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let other: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Cora')).email, PASSWORD);
    other = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Dev')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('lets any agent add, list, change and remove them', async () => {
    const created = await agent.post('/canned-replies', { shortcut: 'shipping', title: 'Shipping times', body: 'We ship within 1 business day.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^canned_/),
      shortcut: 'shipping',
      title: 'Shipping times',
      body: 'We ship within 1 business day.',
    });
    await agent.post('/canned-replies', { shortcut: 'address', title: 'Change of address', body: 'Send us the new address.' });

    const listed = await other.get('/canned-replies');
    expect(listed.body.map((reply: { shortcut: string }) => reply.shortcut)).toEqual(['address', 'shipping']);

    const changed = await other.patch(`/canned-replies/${created.body.id}`, { body: 'We ship the same day.' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ shortcut: 'shipping', body: 'We ship the same day.' });

    expect((await other.delete(`/canned-replies/${created.body.id}`)).status).toBe(204);
    expect((await other.delete(`/canned-replies/${created.body.id}`)).status).toBe(404);
    expect((await agent.get('/canned-replies')).body.map((reply: { shortcut: string }) => reply.shortcut)).toEqual(['address']);
  });

  it('refuses a shortcut in use (409), a malformed one (400), a blank title (422) and strangers (401)', async () => {
    const first = await agent.post('/canned-replies', { shortcut: 'refund', title: 'Refunds', body: 'Refunds take 5 days.' });
    expect((await agent.post('/canned-replies', { shortcut: 'refund', title: 'Again', body: 'x' })).status).toBe(409);
    const second = await agent.post('/canned-replies', { shortcut: 'refund-2', title: 'Refunds 2', body: 'y' });
    const renamed = await agent.patch(`/canned-replies/${second.body.id}`, { shortcut: 'refund' });
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ code: 'shortcut_taken' });
    expect((await agent.post('/canned-replies', { shortcut: 'Has Spaces', title: 'x', body: 'x' })).status).toBe(400);
    expect((await agent.post('/canned-replies', { shortcut: 'blank', title: '   ', body: 'x' })).status).toBe(422);
    expect((await agent.patch(`/canned-replies/${first.body.id}`, { title: '' })).status).toBe(400);
    expect((await new AgentClient(finch.baseUrl).get('/canned-replies')).status).toBe(401);
    // Without the CSRF token a session cannot change anything.
    expect((await agent.request('POST', '/canned-replies', { shortcut: 'nocsrf', title: 'x', body: 'x' }, { csrf: false })).status).toBe(403);
  });
});
