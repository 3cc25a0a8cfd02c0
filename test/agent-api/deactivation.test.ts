/**
 * Deactivating an agent hands their work back: their open conversations go to the waiting queue
 * (no assignee, `agent_deactivated`, a `handed_over` activity event by the admin), Fin is told of
 * each, and the inbox hears of them as one change. A deactivated holder never blocks Fin's handover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { EventStreamClient, idsOf } from '../support/event-stream.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

describe.each(sqlBackends())('deactivating an agent on %s', (backend) => {
  let finch: TestFinch;
  let asAdmin: AgentClient;
  let admin: Agent;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    admin = await makeAgent(finch, 'Ada Admin', 'admin');
    asAdmin = await AgentClient.signIn(finch.baseUrl, admin.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  /** Leo takes `count` new conversations and resolves the last one. */
  async function leoWith(name: string, count: number) {
    const leo = await makeAgent(finch, name);
    const asLeo = await AgentClient.signIn(finch.baseUrl, leo.email, PASSWORD);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = (await finConversation(finch, `${name} ${i}`)).id;
      expect((await asLeo.post(`/conversations/${id}/takeover`)).status).toBe(200);
      ids.push(id);
    }
    return { leo, asLeo, ids };
  }

  it('moves their open conversations to waiting, tells Fin of each, and the inbox in one event', async () => {
    const { leo, ids } = await leoWith('Leo', 3);
    const resolved = ids.pop()!;
    expect((await asAdmin.patch(`/conversations/${resolved}`, { status: 'resolved' })).status).toBe(200);
    const before = new Map(await Promise.all(ids.map(async (id) => [id, (await outboxOf(finch, id)).length] as const)));
    const stream = await EventStreamClient.connect(`${finch.baseUrl}/api/v1/events`, asAdmin.authHeaders());
    await stream.next((event) => event.event === 'ready');
    const mark = stream.mark();

    expect((await asAdmin.patch(`/agents/${leo.id}`, { active: false })).status).toBe(200);

    for (const id of ids) {
      const { conversation } = (await asAdmin.get(`/conversations/${id}`)).body;
      expect(conversation).toMatchObject({ assignee: null, queue: 'waiting', status: 'open', handover_reason: 'agent_deactivated' });
      const events = await outboxOf(finch, id);
      // A new sync event, or the pending one counting one more change.
      const notified = events.length > before.get(id)! || events.some((event) => event.status === 'pending' && event.coalesced > 0);
      expect(notified).toBe(true);
    }
    const waiting = (await asAdmin.get('/conversations?queue=waiting')).body.conversations.map((c: { id: string }) => c.id);
    expect(waiting).toEqual(expect.arrayContaining(ids));
    // The resolved one stays with Leo: nothing waits on it.
    expect((await asAdmin.get(`/conversations/${resolved}`)).body.conversation.assignee.id).toBe(leo.id);

    // Each hand-back is in the conversation's activity: handed over, why, and by which admin.
    const handedOver = await finch
      .database!.db.selectFrom('conversation_activity')
      .selectAll()
      .where('conversation_id', 'in', ids)
      .where('kind', '=', 'handed_over')
      .execute();
    expect(
      handedOver
        .map((row) => [row.conversation_id, row.actor_type, row.actor_id, typeof row.details === 'string' ? JSON.parse(row.details) : row.details])
        .sort(),
    ).toEqual(ids.map((id) => [id, 'agent', admin.id, { reason: 'agent_deactivated' }]).sort());

    const change = await stream.next((event) => event.event === 'conversations', { from: mark, timeoutMs: 2000 });
    expect(idsOf(change).sort()).toEqual([...ids].sort());
    stream.close();
  });

  it('does not let a deactivated holder block Fin handing over (assignee_id: null)', async () => {
    const { leo, ids } = await leoWith('Lena', 1);
    const id = ids[0]!;
    // Deactivated before this rule: still assigned to them (as an older Finch left it).
    expect((await asAdmin.patch(`/conversations/${id}`, { status: 'resolved' })).status).toBe(200);
    expect((await asAdmin.patch(`/agents/${leo.id}`, { active: false })).status).toBe(200);
    expect((await asAdmin.patch(`/conversations/${id}`, { status: 'open' })).status).toBe(200);
    expect((await asAdmin.get(`/conversations/${id}`)).body.conversation.assignee.id).toBe(leo.id);

    const handedOver = await finch.client('rest').call('update_conversation', { conversation_id: id, assignee_id: null });
    expect(handedOver.status).toBe(200);
    expect((handedOver.payload as { assignee: unknown }).assignee).toBeNull();
    expect((await asAdmin.get(`/conversations/${id}`)).body.conversation.queue).toBe('waiting');
  });
});
