/**
 * A reply that takes a waiting conversation is the replying agent's own doing: the activity names
 * them (not Finch), so nobody is emailed "assigned to you" for it, and it reads "took it" before
 * "first reply" in the timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

describe.each(sqlBackends())('a reply that takes a waiting conversation, on %s', (backend) => {
  let finch: TestFinch;
  let agent: AgentClient;
  let agentId: string;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    const made = await makeAgent(finch, 'Bea');
    agentId = made.id;
    agent = await AgentClient.signIn(finch.baseUrl, made.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('records the assignment and the first reply as the agent, in that order', async () => {
    const { id } = await finConversation(finch);
    expect((await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null })).status).toBe(200);
    expect((await agent.post(`/conversations/${id}/messages`, { body: '<p>On it</p>' })).status).toBe(201);

    const entries = await finch.finch!.activity.listActivity(id, { limit: 100 });
    const after = entries.slice(entries.findIndex((entry) => entry.kind === 'handed_over') + 1);
    expect(after.map((entry) => [entry.kind, entry.actor])).toEqual([
      ['assigned', { type: 'agent', id: agentId }],
      ['first_human_reply', { type: 'agent', id: agentId }],
    ]);
    expect(after[0]!.details).toMatchObject({ assigneeId: agentId, how: 'manual' });
  });
});
