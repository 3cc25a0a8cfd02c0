/** "Retry" on a conversation not synced with Fin: any agent queues a fresh sync event. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

describe.each(sqlBackends())('resync on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_resync', webhookKey: 'key', baseUrl: 'http://127.0.0.1:9' } });
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Rae')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('queues a sync event for the conversation, for any agent', async () => {
    const conversation = await finConversation(finch);
    expect(await outboxOf(finch, conversation.id)).toEqual([]);
    const response = await agent.post(`/conversations/${conversation.id}/resync`);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ queued: true });
    const events = await outboxOf(finch, conversation.id);
    expect(events.map((event) => [event.kind, event.status])).toEqual([['sync', 'pending']]);
  });

  it('answers 404 for an unknown conversation and 401 to strangers', async () => {
    expect((await agent.post('/conversations/conv_nope/resync')).status).toBe(404);
    expect((await new AgentClient(finch.baseUrl).post('/conversations/conv_nope/resync')).status).toBe(401);
  });
});

describe('resync without Fin settings', () => {
  it('is refused with the reason (422)', async () => {
    const finch = await startTestFinch('sqlite');
    try {
      const agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Sol')).email, PASSWORD);
      const conversation = await finConversation(finch);
      const response = await agent.post(`/conversations/${conversation.id}/resync`);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'fin_not_configured' });
    } finally {
      await finch.close();
    }
  });
});
