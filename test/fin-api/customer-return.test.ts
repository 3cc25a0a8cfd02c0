/**
 * The customer's return is seen: an end-user message (Fin's Create Message) on a conversation that
 * is not open opens it again, to its agent's Mine marked unread when that agent is an active human,
 * otherwise to the waiting queue (`customer_returned`); Fin is told. On the SQL stores the inbox
 * shows it (queue, unread marker and count, cleared when the agent opens it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationStatus } from '../../src/contract/models.js';
import type { Agent } from '../../src/domain/model.js';
import type { MemoryFinStore } from '../../src/store/memory/memory-fin-store.js';
import { AgentClient } from '../support/agent-client.js';
import { backends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

const FINISHED: ConversationStatus[] = ['resolved', 'closed', 'ended'];

describe.each(backends())("the customer's return on %s", (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let asHana: AgentClient | undefined;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    hana = await makeAgent(finch, 'Hana');
    if (finch.helpdesk) asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  const at = () => finch.clock.now().toISOString();
  /** A change made on the helpdesk side (the agent API's, on the SQL stores). */
  const helpdeskSets = (id: string, changes: { assigneeId?: string | null; status?: ConversationStatus }) =>
    finch.store.transaction((tx) => tx.updateConversation(id, changes, at()));
  const customerWrites = async (conversation: { id: string; user: { id: string } }, body = 'Me again') => {
    const response = await finch.client('rest').call('create_message', {
      conversation_id: conversation.id,
      body,
      author: { id: conversation.user.id, user_type: 'end_user' },
    });
    expect(response.status).toBe(201);
  };
  const finSees = async (id: string) => (await finch.client('post').call('get_conversation', { conversation_id: id })).payload as Record<string, any>;
  /** How many times Fin has been asked to pull the conversation (sync events, counting coalesced changes). */
  const notifications = async (id: string) => {
    if (!finch.database) return (finch.store as MemoryFinStore).syncRequests.filter((request) => request.conversationId === id).length;
    return (await outboxOf(finch, id)).filter((event) => event.kind === 'sync').reduce((sum, event) => sum + 1 + event.coalesced, 0);
  };

  it.each(FINISHED)('reopens a %s conversation to its active agent, marked unread, and tells Fin', async (status) => {
    const conversation = await finConversation(finch, `Back after ${status}`);
    await helpdeskSets(conversation.id, { assigneeId: hana.id, status });
    const before = await notifications(conversation.id);
    finch.clock.advance(1000);
    await customerWrites(conversation);

    expect(await finSees(conversation.id)).toMatchObject({ status: 'open', assignee: { id: hana.id } });
    expect(await notifications(conversation.id)).toBeGreaterThan(before);
    if (!asHana) return;
    const counts = (await asHana.get('/conversations/counts')).body;
    expect(counts.unread).toBeGreaterThanOrEqual(1);
    const mine = (await asHana.get('/conversations?queue=mine')).body.conversations.find((c: { id: string }) => c.id === conversation.id);
    expect(mine).toMatchObject({ queue: 'mine', status: 'open', unread: true, unread_at: expect.any(String) });
    // Opening it reads it; the marker and the count go.
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation).toMatchObject({ unread: false, unread_at: null });
    expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation).toMatchObject({ unread: false, unread_at: null });
    expect((await asHana.get('/conversations/counts')).body.unread).toBe(counts.unread - 1);
  });

  it.each(FINISHED)('reopens a %s conversation Fin held to Fin, and tells Fin', async (status) => {
    const conversation = await finConversation(finch, `Back to Fin after ${status}`);
    await helpdeskSets(conversation.id, { status });
    const before = await notifications(conversation.id);
    finch.clock.advance(1000);
    await customerWrites(conversation);

    expect(await finSees(conversation.id)).toMatchObject({ status: 'open', assignee: { name: 'Fin' } });
    expect(await notifications(conversation.id)).toBeGreaterThan(before);
    if (asHana) {
      expect((await asHana.get(`/conversations/${conversation.id}`)).body.conversation).toMatchObject({ queue: 'fin', unread: false, unread_at: null });
    }
    // Having read the return (finSees is Get Conversation), Fin answers and may resolve it again.
    const resolved = await finch.client('rest').call('update_conversation', { conversation_id: conversation.id, status: 'resolved' });
    expect(resolved.status).toBe(200);
    expect(await finSees(conversation.id)).toMatchObject({ status: 'resolved' });
  });

  it('keeps a conversation the customer reopened open against a stale "resolved" from Fin, until Fin has read the return', async () => {
    const conversation = await finConversation(finch, 'Back before Fin read it');
    await finSees(conversation.id);
    await helpdeskSets(conversation.id, { status: 'resolved' });
    finch.clock.advance(1000);
    await customerWrites(conversation);
    const stale = await finch.client('rest').call('update_conversation', { conversation_id: conversation.id, status: 'resolved' });
    expect(stale.status).toBe(200);
    expect(stale.payload).toMatchObject({ status: 'open' });
  });

  it.each(FINISHED)('reopens a %s conversation to the waiting queue when no active person holds it', async (status) => {
    for (const holder of ['nobody', 'deactivated'] as const) {
      const conversation = await finConversation(finch, `Back after ${status} (${holder})`);
      const gone = holder === 'deactivated' ? await makeAgent(finch, `Gone ${status} ${Math.random().toString(36).slice(2, 7)}`) : undefined;
      await helpdeskSets(conversation.id, { status, ...(holder === 'nobody' ? { assigneeId: null } : gone ? { assigneeId: gone.id } : {}) });
      if (gone) await deactivate(gone);
      const before = await notifications(conversation.id);
      finch.clock.advance(1000);
      await customerWrites(conversation);

      expect(await finSees(conversation.id), holder).toMatchObject({ status: 'open', assignee: null });
      expect(await notifications(conversation.id), holder).toBeGreaterThan(before);
      if (!asHana) continue;
      const view = (await asHana.get(`/conversations/${conversation.id}`)).body.conversation;
      expect(view, holder).toMatchObject({ queue: 'waiting', handover_reason: 'customer_returned', unread: false, unread_at: null });
      const waiting = (await asHana.get('/conversations?queue=waiting&limit=100')).body.conversations.map((c: { id: string }) => c.id);
      expect(waiting).toContain(conversation.id);
    }
  });

  it('marks an open conversation a person holds unread, and leaves Fin and the waiting queue as they are', async () => {
    const held = await finConversation(finch, 'Held by Hana');
    await helpdeskSets(held.id, { assigneeId: hana.id });
    const withFin = await finConversation(finch, 'With Fin');
    const before = await notifications(withFin.id);
    await customerWrites(held);
    await customerWrites(withFin);
    expect(await finSees(withFin.id)).toMatchObject({ status: 'open', assignee: { name: 'Fin' } });
    expect(await notifications(withFin.id)).toBe(before);
    if (!asHana) return;
    expect((await asHana.get(`/conversations?queue=mine`)).body.conversations.find((c: { id: string }) => c.id === held.id).unread_at).not.toBeNull();
    // A public reply by the holder reads it too.
    expect((await asHana.post(`/conversations/${held.id}/messages`, { body: 'On it' })).status).toBe(201);
    expect((await asHana.get(`/conversations?queue=mine`)).body.conversations.find((c: { id: string }) => c.id === held.id).unread_at).toBeNull();
  });

  async function deactivate(agent: Agent): Promise<void> {
    if (finch.database) {
      await finch.database.db.updateTable('agents').set({ active: 0 }).where('id', '=', agent.id).execute();
    } else {
      await (finch.store as MemoryFinStore).deactivateAgent(agent.id, at());
    }
  }
});
