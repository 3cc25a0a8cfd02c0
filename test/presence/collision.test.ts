/**
 * Collision detection (issue 12, item 3) over real HTTP on both databases: an inbox says which
 * conversation it shows (`PUT /me/viewing`, naming its stream's connection); every other inbox on
 * that conversation hears who views it and who types (`collision` events), also on a second
 * PostgreSQL node; typing fades; a reply when someone else replied since the last message seen is
 * refused with 409 `conversation_replied` carrying the newer messages, and sent on confirmation; a
 * private note does not count; the first human reply after a hand-over is recorded as activity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollisionEvent } from '../../src/contract/presence.js';
import type { Agent } from '../../src/domain/model.js';
import { TYPING_FADE_MS } from '../../src/domain/presence/presence.js';
import { AgentClient } from '../support/agent-client.js';
import type { ServerSentEvent } from '../support/event-stream.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';
import { type Inbox, openInbox } from './support.js';

const collision = (event: ServerSentEvent) => JSON.parse(event.data) as CollisionEvent;
const names = (people: { name: string }[]) => people.map((person) => person.name).sort();

/** The next `collision` event about `conversationId` from `from` on that satisfies `matches`. */
function nextCollision(inbox: Inbox, conversationId: string, matches: (event: CollisionEvent) => boolean, from: number, timeoutMs = 3000) {
  return inbox.stream
    .next((event) => event.event === 'collision' && collision(event).conversation_id === conversationId && matches(collision(event)), { from, timeoutMs })
    .then(collision);
}

describe.each(sqlBackends())('collision detection on %s', (backend) => {
  let finch: TestFinch;
  let hana: Agent;
  let ivo: Agent;
  let asHana: AgentClient;
  let asIvo: AgentClient;
  let hanas: Inbox;
  let ivos: Inbox;

  beforeAll(async () => {
    finch = await startTestFinch(backend);
    hana = await makeAgent(finch, 'Hana');
    ivo = await makeAgent(finch, 'Ivo');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    asIvo = await AgentClient.signIn(finch.baseUrl, ivo.email, PASSWORD);
    hanas = await openInbox(finch, asHana);
    ivos = await openInbox(finch, asIvo);
  });
  afterAll(async () => {
    hanas?.stream.close();
    ivos?.stream.close();
    await finch?.close();
  });

  it('tells each inbox on a conversation who else views it, and when they leave', async () => {
    const conversation = await finConversation(finch);
    let from = ivos.stream.mark();
    const hanaFrom = hanas.stream.mark();
    expect((await asIvo.put('/me/viewing', { connection_id: ivos.connectionId, conversation_id: conversation.id })).status).toBe(204);
    // Alone: told nobody else is there.
    await nextCollision(ivos, conversation.id, (event) => event.viewers.length === 0, from);
    expect((await asHana.put('/me/viewing', { connection_id: hanas.connectionId, conversation_id: conversation.id })).status).toBe(204);
    const seenByIvo = await nextCollision(ivos, conversation.id, (event) => event.viewers.length > 0, from);
    expect(seenByIvo).toEqual({ conversation_id: conversation.id, viewers: [{ id: hana.id, name: 'Hana' }], typing: [] });
    const seenByHana = await nextCollision(hanas, conversation.id, (event) => event.viewers.length > 0, hanaFrom);
    expect(names(seenByHana.viewers)).toEqual(['Ivo']);
    from = ivos.stream.mark();
    await asHana.put('/me/viewing', { connection_id: hanas.connectionId, conversation_id: null });
    await nextCollision(ivos, conversation.id, (event) => event.viewers.length === 0, from);
  });

  it('tells them who is typing, until it fades', async () => {
    const conversation = await finConversation(finch);
    await asIvo.put('/me/viewing', { connection_id: ivos.connectionId, conversation_id: conversation.id });
    await asHana.put('/me/viewing', { connection_id: hanas.connectionId, conversation_id: conversation.id });
    const from = ivos.stream.mark();
    expect((await asHana.post(`/conversations/${conversation.id}/typing`)).status).toBe(202);
    const typing = await nextCollision(ivos, conversation.id, (event) => event.typing.length > 0, from);
    expect(typing.typing).toEqual([{ id: hana.id, name: 'Hana' }]);
    expect(names(typing.viewers)).toEqual(['Hana']);
    // Without another typing call it fades, still viewing.
    const faded = await nextCollision(ivos, conversation.id, (event) => event.typing.length === 0, ivos.stream.mark(), TYPING_FADE_MS + 3000);
    expect(names(faded.viewers)).toEqual(['Hana']);
    // Hana never hears of her own typing.
    expect(hanas.stream.events.filter((event) => event.event === 'collision' && collision(event).typing.some((who) => who.id === hana.id))).toEqual([]);
  }, 20_000);

  it('tells the others when an inbox on the conversation closes', async () => {
    const conversation = await finConversation(finch);
    const third = await openInbox(finch, asHana);
    await asIvo.put('/me/viewing', { connection_id: ivos.connectionId, conversation_id: conversation.id });
    const from = ivos.stream.mark();
    await asHana.put('/me/viewing', { connection_id: third.connectionId, conversation_id: conversation.id });
    await nextCollision(ivos, conversation.id, (event) => event.viewers.length === 1, from);
    third.stream.close();
    await nextCollision(ivos, conversation.id, (event) => event.viewers.length === 0, ivos.stream.mark());
  });

  it('refuses a connection that is not the caller’s open one, and an unknown conversation', async () => {
    const conversation = await finConversation(finch);
    const notMine = await asHana.put('/me/viewing', { connection_id: ivos.connectionId, conversation_id: conversation.id });
    expect(notMine.status).toBe(404);
    expect(notMine.body.code).toBe('connection_not_found');
    expect((await asHana.put('/me/viewing', { connection_id: 'conn_nope', conversation_id: null })).status).toBe(404);
    const unknown = await asHana.put('/me/viewing', { connection_id: hanas.connectionId, conversation_id: 'conv_nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('conversation_not_found');
    expect((await asHana.request('PUT', '/me/viewing', { connection_id: hanas.connectionId, conversation_id: null }, { csrf: false })).status).toBe(403);
    expect((await asHana.put('/me/viewing', { connection_id: hanas.connectionId })).status).toBe(400);
  });

  describe('a reply when someone else replied since', () => {
    it('is refused with the newer messages, and sent when confirmed with the newest id', async () => {
      const conversation = await finConversation(finch);
      const thread = (await asHana.get(`/conversations/${conversation.id}`)).body.messages as { id: string }[];
      const seen = thread.at(-1)!.id;
      const ivosReply = await asIvo.post(`/conversations/${conversation.id}/messages`, { body: '<p>On it</p>' });
      expect(ivosReply.status).toBe(201);
      const refused = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Hello!</p>', last_seen_message_id: seen });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 409, code: 'conversation_replied' });
      expect(refused.body.messages).toEqual([
        expect.objectContaining({ id: ivosReply.body.id, body: '<p>On it</p>', author: expect.objectContaining({ id: ivo.id }) }),
      ]);
      // Nothing was sent.
      expect(((await asHana.get(`/conversations/${conversation.id}`)).body.messages as unknown[]).length).toBe(thread.length + 1);
      const confirmed = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Hello!</p>', last_seen_message_id: ivosReply.body.id });
      expect(confirmed.status).toBe(201);
    });

    it('is refused after Fin’s reply too, but not after a private note, the end-user’s message or the agent’s own reply', async () => {
      const conversation = await finConversation(finch);
      const first = ((await asHana.get(`/conversations/${conversation.id}`)).body.messages as { id: string }[]).at(-1)!.id;
      const note = await asIvo.post(`/conversations/${conversation.id}/messages`, { body: '<p>VIP</p>', visibility: 'private' });
      expect(note.status).toBe(201);
      const own = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>One</p>', last_seen_message_id: first });
      expect(own.status).toBe(201);
      const user = conversation.user.id;
      const fromUser = await finch.client('rest').call('create_message', {
        conversation_id: conversation.id,
        body: 'Are you there?',
        author: { id: user, user_type: 'end_user' },
      });
      expect(fromUser.status).toBe(201);
      expect((await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Two</p>', last_seen_message_id: first })).status).toBe(201);
      const fin = await finch.store.findFinAgent();
      const fromFin = await finch.client('rest').call('create_message', {
        conversation_id: conversation.id,
        body: 'Fin here',
        author: { id: fin.id, user_type: 'agent' },
      });
      expect(fromFin.status).toBe(201);
      const refused = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Three</p>', last_seen_message_id: first });
      expect(refused.status).toBe(409);
      // Every message since the one seen, so the inbox shows what it missed.
      expect((refused.body.messages as { body: string }[]).map((message) => message.body)).toEqual([
        '<p>VIP</p>',
        '<p>One</p>',
        expect.stringContaining('Are you there?'),
        '<p>Two</p>',
        expect.stringContaining('Fin here'),
      ]);
    });

    it('answers 422 for a last seen message that is not the conversation’s', async () => {
      const conversation = await finConversation(finch);
      const refused = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Hi</p>', last_seen_message_id: 'msg_nope' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'message_not_found', errors: [{ pointer: '/last_seen_message_id' }] });
    });
  });

  it('records the first human reply after a hand-over as activity, in the reply’s transaction', async () => {
    const conversation = await finConversation(finch);
    const handedOverAt = finch.clock.now().toISOString();
    await finch.database!.db.updateTable('conversations').set({ handed_over_at: handedOverAt, assignee_id: null }).where('id', '=', conversation.id).execute();
    await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>A note first</p>', visibility: 'private' });
    const replied = await asHana.post(`/conversations/${conversation.id}/messages`, { body: '<p>Hello</p>' });
    expect(replied.status).toBe(201);
    const activity = await finch
      .database!.db.selectFrom('conversation_activity')
      .selectAll()
      .where('conversation_id', '=', conversation.id)
      .where('kind', '=', 'first_human_reply')
      .execute();
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({ actor_type: 'agent', actor_id: hana.id });
    const details = typeof activity[0]!.details === 'string' ? JSON.parse(activity[0]!.details) : activity[0]!.details;
    expect(JSON.stringify(details)).toContain(replied.body.id);
  });
});

describe.runIf(sqlBackends().includes('postgres'))('collision detection across two Finch nodes on one PostgreSQL', () => {
  let a: TestFinch;
  let b: TestFinch;
  const inboxes: Inbox[] = [];

  beforeAll(async () => {
    a = await startTestFinch('postgres');
    b = await startTestFinch('postgres', { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    for (const inbox of inboxes) inbox.stream.close();
    await b?.close();
    await a?.close();
  });

  it('tells an inbox on node B who views and types on node A', async () => {
    const hana = await makeAgent(a, 'Hana');
    const ivo = await makeAgent(a, 'Ivo');
    const asHana = await AgentClient.signIn(a.baseUrl, hana.email, PASSWORD);
    const asIvo = await AgentClient.signIn(b.baseUrl, ivo.email, PASSWORD);
    const hanas = await openInbox(a, asHana);
    const ivos = await openInbox(b, asIvo);
    inboxes.push(hanas, ivos);
    const conversation = await finConversation(a);
    await asIvo.put('/me/viewing', { connection_id: ivos.connectionId, conversation_id: conversation.id });
    const from = ivos.stream.mark();
    await asHana.put('/me/viewing', { connection_id: hanas.connectionId, conversation_id: conversation.id });
    await nextCollision(ivos, conversation.id, (event) => names(event.viewers).join() === 'Hana', from);
    await asHana.post(`/conversations/${conversation.id}/typing`);
    await nextCollision(ivos, conversation.id, (event) => names(event.typing).join() === 'Hana', from);
  });
});
