/**
 * The inbox through the agent API: queues, search and pages; replies, notes, edits, takeover,
 * hand-back, typing, end-user edits; and which of them notify Fin (every change made on the
 * helpdesk side, none made by Fin itself), coalesced per conversation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/domain/model.js';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent, outboxOf } from '../support/helpdesk.js';

describe.each(sqlBackends())('the inbox on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let carl: Agent;
  let fin: Agent;
  let asHana: AgentClient;
  let asCarl: AgentClient;

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    hana = await makeAgent(finch, 'Hana');
    carl = await makeAgent(finch, 'Carl');
    fin = await finch.store.findFinAgent();
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    asCarl = await AgentClient.signIn(finch.baseUrl, carl.email, PASSWORD);
  });
  afterAll(() => finch?.close());

  const handOver = async (conversationId: string) => {
    const response = await finch.client('post').call('update_conversation', { conversation_id: conversationId, assignee_id: null });
    expect(response.status).toBe(200);
  };

  describe('queues', () => {
    let waitingFirst: string;
    let waitingSecond: string;
    let finOwned: string;
    let hanas: string;
    let carls: string;
    beforeAll(async () => {
      waitingFirst = (await finConversation(finch, 'Refund for order 1234', 'My invoice is wrong')).id;
      finch.clock.advance(1000);
      waitingSecond = (await finConversation(finch, 'Password reset', 'Cannot log in')).id;
      finch.clock.advance(1000);
      finOwned = (await finConversation(finch, 'Pricing', 'How much is the team plan?')).id;
      hanas = (await finConversation(finch, 'Shipping to Norway', 'Do you ship to Oslo?')).id;
      carls = (await finConversation(finch, 'Cancel my plan', 'Please cancel')).id;
      await handOver(waitingSecond);
      finch.clock.advance(1000);
      await handOver(waitingFirst);
      // Waiting is ordered by when the conversation was handed over: waitingSecond first.
      await asHana.post(`/conversations/${hanas}/takeover`);
      await asCarl.post(`/conversations/${carls}/takeover`);
    });

    const ids = async (client: AgentClient, query: string) => {
      const response = await client.get(`/conversations?${query}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return (response.body.conversations as { id: string }[]).map((c) => c.id);
    };

    it('puts handed-over conversations in waiting, oldest wait first', async () => {
      const waiting = await ids(asHana, 'queue=waiting');
      expect(waiting.filter((id) => [waitingFirst, waitingSecond].includes(id))).toEqual([waitingSecond, waitingFirst]);
      expect(waiting).not.toContain(finOwned);
    });

    it('splits mine, Fin and others relative to who is looking', async () => {
      expect(await ids(asHana, 'queue=mine')).toEqual([hanas]);
      expect(await ids(asCarl, 'queue=mine')).toEqual([carls]);
      expect(await ids(asHana, 'queue=others')).toContain(carls);
      expect(await ids(asHana, 'queue=others')).not.toContain(hanas);
      expect(await ids(asHana, 'queue=fin')).toContain(finOwned);
      const view = (await asHana.get(`/conversations/${carls}`)).body.conversation;
      expect(view).toMatchObject({ queue: 'others', assignee: { id: carl.id, name: 'Carl', is_fin: false } });
    });

    it('counts open conversations per queue', async () => {
      const counts = (await asHana.get('/conversations/counts')).body;
      expect(counts.mine).toBe(1);
      expect(counts.waiting).toBeGreaterThanOrEqual(2);
      expect(counts.all).toBe(counts.waiting + counts.mine + counts.fin + counts.others);
    });

    it('filters by status and tag, and finds words in titles and messages', async () => {
      await asHana.patch(`/conversations/${hanas}`, { tags: ['shipping', 'vip'], status: 'resolved' });
      expect(await ids(asHana, 'queue=all&tag=vip')).toEqual([hanas]);
      expect(await ids(asHana, 'queue=all&status=resolved')).toEqual([hanas]);
      expect(await ids(asHana, 'queue=all&q=refund')).toEqual([waitingFirst]);
      expect(await ids(asHana, 'queue=all&q=invoice')).toEqual([waitingFirst]);
      expect(await ids(asHana, 'queue=all&q=oslo%20ship')).toEqual([hanas]);
      expect(await ids(asHana, 'queue=all&q=nothing-like-this')).toEqual([]);
    });

    it('pages through a queue with a cursor', async () => {
      const all = await ids(asHana, 'queue=all&limit=100');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { conversations: { id: string }[]; next_cursor: string | null } = (
          await asHana.get(`/conversations?queue=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).body;
        expect(page.conversations.length).toBeLessThanOrEqual(2);
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual(all);
      const bad = await asHana.get('/conversations?cursor=not-a-cursor');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'invalid_cursor' });
    });

    it('shows the last message of each conversation as text', async () => {
      const list = (await asHana.get('/conversations?queue=all&q=refund')).body.conversations;
      expect(list[0].last_message).toMatchObject({ author_type: 'end_user', visibility: 'public', text: 'My invoice is wrong' });
    });
  });

  describe('actions and what Fin hears of them', () => {
    let conversationId: string;
    beforeEach(async () => {
      conversationId = (await finConversation(finch)).id;
    });

    const pendingSyncs = async () => (await outboxOf(finch, conversationId)).filter((event) => event.kind === 'sync' && event.status === 'pending');

    it('never echoes back changes Fin made through the Fin API', async () => {
      const api = finch.client('rest');
      await api.call('update_conversation', { conversation_id: conversationId, title: 'By Fin', tags: ['fin'], attributes: { a: 1 }, assignee_id: null });
      await api.call('create_message', { conversation_id: conversationId, body: 'From Fin', author: { id: fin.id, user_type: 'agent' } });
      expect(await outboxOf(finch, conversationId)).toEqual([]);
    });

    it("a reply takes a Fin-owned conversation for the agent, in the same transaction as Fin's notification", async () => {
      const writesBefore = finch.outboxWrites();
      const reply = await asHana.post(`/conversations/${conversationId}/messages`, { body: '<p>Hi, <b>Hana</b> here <script>alert(1)</script></p>' });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ body: '<p>Hi, <b>Hana</b> here </p>', visibility: 'public', author: { type: 'agent', id: hana.id, is_fin: false } });
      const detail = (await asHana.get(`/conversations/${conversationId}`)).body;
      expect(detail.conversation).toMatchObject({ queue: 'mine', assignee: { id: hana.id } });
      expect(detail.messages.map((m: { body: string }) => m.body)).toEqual(['Hello, I need help', '<p>Hi, <b>Hana</b> here </p>']);
      expect(await pendingSyncs()).toMatchObject([{ payload: expect.anything(), coalesced: 0 }]);
      expect(finch.outboxWrites()).toBe(writesBefore + 1);
      // Fin's end-of-sync update cannot take it back (human takeover wins).
      await finch.client('rest').call('update_conversation', { conversation_id: conversationId, assignee_id: fin.id });
      expect((await asHana.get(`/conversations/${conversationId}`)).body.conversation.assignee.id).toBe(hana.id);
    });

    it('a note notifies Fin but leaves the conversation with Fin', async () => {
      const note = await asHana.post(`/conversations/${conversationId}/messages`, { body: 'Internal: VIP customer', visibility: 'private' });
      expect(note.body.visibility).toBe('private');
      expect((await asHana.get(`/conversations/${conversationId}`)).body.conversation.queue).toBe('fin');
      expect(await pendingSyncs()).toHaveLength(1);
    });

    it('coalesces a burst of changes into one pending notification', async () => {
      await asHana.patch(`/conversations/${conversationId}`, { title: 'One' });
      await asHana.patch(`/conversations/${conversationId}`, { tags: ['two'] });
      await asHana.patch(`/conversations/${conversationId}`, { attributes: { three: 3 } });
      await asHana.post(`/conversations/${conversationId}/messages`, { body: 'note', visibility: 'private' });
      await asHana.patch(`/conversations/${conversationId}`, { status: 'resolved' });
      expect(await pendingSyncs()).toMatchObject([{ coalesced: 4 }]);
    });

    it('writes nothing, and tells Fin nothing, when an edit changes nothing', async () => {
      const current = (await asHana.get(`/conversations/${conversationId}`)).body.conversation;
      const same = await asHana.patch(`/conversations/${conversationId}`, { title: current.title, status: current.status, tags: [], attributes: {} });
      expect(same.body.updated_at).toBe(current.updated_at);
      expect(await outboxOf(finch, conversationId)).toEqual([]);
    });

    it('each kind of helpdesk change notifies Fin', async () => {
      const actions: [string, () => Promise<unknown>][] = [
        ['status', () => asHana.patch(`/conversations/${conversationId}`, { status: 'resolved' })],
        ['title', () => asHana.patch(`/conversations/${conversationId}`, { title: 'New title' })],
        ['tags', () => asHana.patch(`/conversations/${conversationId}`, { tags: ['billing'] })],
        ['attributes', () => asHana.patch(`/conversations/${conversationId}`, { attributes: { priority: 'high' } })],
        ['assignee', () => asHana.patch(`/conversations/${conversationId}`, { assignee_id: carl.id })],
        ['takeover', () => asHana.post(`/conversations/${conversationId}/takeover`)],
        ['handback', () => asHana.post(`/conversations/${conversationId}/handback`)],
        ['unassign', () => asHana.patch(`/conversations/${conversationId}`, { assignee_id: null })],
        ['end-user', async () => asHana.patch(`/users/${(await asHana.get(`/conversations/${conversationId}`)).body.user.id}`, { name: 'Eve Renamed' })],
      ];
      for (const [label, action] of actions) {
        await finch.database!.db.updateTable('outbox_events').set({ status: 'delivered' }).where('conversation_id', '=', conversationId).execute();
        const response = (await action()) as { status: number; body: unknown };
        expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
        expect(await pendingSyncs(), label).toHaveLength(1);
      }
    });

    it('hand-back returns the conversation to Fin; takeover and assignment move it between people', async () => {
      expect((await asHana.post(`/conversations/${conversationId}/takeover`)).body).toMatchObject({ queue: 'mine', assignee: { id: hana.id } });
      expect((await asHana.patch(`/conversations/${conversationId}`, { assignee_id: carl.id })).body).toMatchObject({ queue: 'others' });
      expect((await asCarl.get(`/conversations/${conversationId}`)).body.conversation.queue).toBe('mine');
      expect((await asCarl.post(`/conversations/${conversationId}/handback`)).body).toMatchObject({ queue: 'fin', assignee: { is_fin: true } });
      // Fin follows the conversation again: its handover works.
      await handOver(conversationId);
      expect((await asCarl.get(`/conversations/${conversationId}`)).body.conversation.queue).toBe('waiting');
    });

    it('sends typing with the agent, at most once per 3 s, worthless after 5 s', async () => {
      expect((await asHana.post(`/conversations/${conversationId}/typing`)).body).toEqual({ sent: true });
      expect((await asHana.post(`/conversations/${conversationId}/typing`)).body).toEqual({ sent: false });
      expect((await asCarl.post(`/conversations/${conversationId}/typing`)).body).toEqual({ sent: true });
      finch.clock.advance(3001);
      expect((await asHana.post(`/conversations/${conversationId}/typing`)).body).toEqual({ sent: true });
      const typing = (await outboxOf(finch, conversationId)).filter((event) => event.kind === 'typing');
      expect(typing).toHaveLength(3);
      const first = typing[0]!;
      expect(JSON.parse(typeof first.payload === 'string' ? first.payload : JSON.stringify(first.payload))).toEqual({
        conversation_id: conversationId,
        event_type: 'agent_typing',
        data: { agent: { id: hana.id, user_type: 'agent', name: 'Hana', email: hana.email } },
      });
      expect(Date.parse(first.expires_at!) - Date.parse(first.created_at)).toBe(5000);
    });

    it('edits the end-user and tells Fin through each of their conversations still going on', async () => {
      const detail = (await asHana.get(`/conversations/${conversationId}`)).body;
      const userId = detail.user.id;
      const other = await finch
        .client('rest')
        .call('create_conversation', { user_id: userId, initial_message: { body: 'Again', author: { id: userId, user_type: 'end_user' } } });
      const otherId = (other.payload as { conversation: { id: string } }).conversation.id;
      const updated = await asHana.patch(`/users/${userId}`, { email: 'eve@new.example.com', attributes: { plan: 'pro' } });
      expect(updated.body).toMatchObject({ id: userId, email: 'eve@new.example.com', attributes: { plan: 'pro' } });
      expect(await pendingSyncs()).toHaveLength(1);
      expect((await outboxOf(finch, otherId)).filter((event) => event.status === 'pending')).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    it('answers every malformed request with a problem, never a 5xx', async () => {
      const conversationId = (await finConversation(finch)).id;
      const cases: [string, string, unknown, number][] = [
        ['POST', `/conversations/${conversationId}/messages`, {}, 422],
        ['POST', `/conversations/${conversationId}/messages`, { body: '' }, 422],
        ['POST', `/conversations/${conversationId}/messages`, { body: 'x', visibility: 'secret' }, 400],
        ['POST', `/conversations/${conversationId}/messages`, { body: 'x', attachments: [{ url: 'http://insecure.example/a' }] }, 422],
        ['POST', `/conversations/${conversationId}/messages`, { body: 5 }, 400],
        ['POST', '/conversations/conv_missing/messages', { body: 'x' }, 404],
        ['PATCH', `/conversations/${conversationId}`, { status: 'archived' }, 400],
        ['PATCH', `/conversations/${conversationId}`, { assignee_id: 'agent_missing' }, 422],
        ['PATCH', `/conversations/${conversationId}`, { tags: 'one' }, 400],
        ['PATCH', `/conversations/${conversationId}`, { attributes: [] }, 400],
        ['PATCH', '/conversations/conv_missing', { title: 'x' }, 404],
        ['POST', '/conversations/conv_missing/takeover', undefined, 404],
        ['POST', '/conversations/conv_missing/typing', undefined, 404],
        ['GET', '/conversations/conv_missing', undefined, 404],
        ['GET', '/conversations?queue=everything', undefined, 400],
        ['GET', '/conversations?limit=0', undefined, 400],
        ['GET', '/conversations?limit=1000', undefined, 400],
        ['PATCH', '/users/user_missing', { name: 'x' }, 404],
        ['PATCH', `/users/x`, { email: 'not-an-email' }, 400],
        ['POST', '/session', { email: 5 }, 400],
        ['POST', '/tokens', { name: '' }, 400],
        ['DELETE', '/tokens/tok_missing', undefined, 404],
        ['GET', '/nowhere', undefined, 404],
      ];
      for (const [method, path, body, status] of cases) {
        const response = await asHana.request(method, path, body);
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ type: 'about:blank', status });
      }
      const raw = await fetch(`${finch.baseUrl}/api/v1/conversations/${conversationId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: (asHana as unknown as { cookie: string }).cookie, 'x-csrf-token': asHana.csrfToken! },
        body: '{"title": ',
      });
      expect(raw.status).toBe(400);
    });
  });
});
